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
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Durable, atomic file replacement: write a temporary file in the same directory, fsync it, rename
 * it over the target atomically, fsync the directory. A process killed at any point leaves either
 * the old or the new file, never a mix. There is deliberately no non-atomic fallback.
 */
public final class AtomicFiles {
  private static final String TMP_INFIX = ".tmp-";

  /** The points of a {@link #write} between which a crash test stops a writer. */
  public enum Step {
    /** Half of the content is in the temporary file. */
    TEMPORARY_HALF_WRITTEN,
    /** The temporary file is complete and synced, not yet renamed. */
    TEMPORARY_SYNCED,
    /** The temporary file has replaced the target; the directory is not yet synced. */
    RENAMED
  }

  private static volatile Consumer<Step> stepHook = step -> {};

  private AtomicFiles() {}

  /**
   * Test hook: {@code hook} runs at each {@link Step} of every write in this JVM (the crash tests'
   * writer process pauses there to be killed). Nothing else sets it.
   */
  public static void onEachStep(Consumer<Step> hook) {
    stepHook = Objects.requireNonNull(hook, "hook");
  }

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
        writeFully(ch, ByteBuffer.wrap(content, 0, content.length / 2));
        stepHook.accept(Step.TEMPORARY_HALF_WRITTEN);
        writeFully(
            ch, ByteBuffer.wrap(content, content.length / 2, content.length - content.length / 2));
        ch.force(true);
      }
      stepHook.accept(Step.TEMPORARY_SYNCED);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      stepHook.accept(Step.RENAMED);
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
      writeFully(ch, ByteBuffer.wrap(content));
      ch.force(true);
    }
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
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
