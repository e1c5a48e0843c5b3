package io.qkms.engine.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Durable, atomic file replacement: write a temporary file in the same directory, fsync it, rename
 * it over the target atomically, fsync the directory. A process killed at any point leaves either
 * the old or the new file, never a mix. There is deliberately no non-atomic fallback.
 */
public final class AtomicFiles {
  private static final String TMP_INFIX = ".tmp-";

  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code content} (readable by its owner only where POSIX
   * permissions exist), or leaves it as it was if this fails. Its directory must exist.
   */
  public static void write(Path target, byte[] content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve(target.getFileName() + TMP_INFIX + UUID.randomUUID());
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Creates a new file with owner-only permissions, failing if it exists; fsyncs it and dir. */
  public static void createNew(Path target, byte[] content) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  /** Removes temporary files a killed writer left behind (call while holding the write lock). */
  public static void removeLeftovers(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    try (DirectoryStream<Path> s =
        Files.newDirectoryStream(dir, target.getFileName() + TMP_INFIX + "*")) {
      for (Path p : s) {
        Files.deleteIfExists(p);
      }
    }
  }

  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  public static FileAttribute<?>[] ownerOnly() {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[] {
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
      };
    }
    return new FileAttribute<?>[0];
  }
}
