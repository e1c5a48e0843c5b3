package io.qkms.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A run's private folder in the temporary directory (owner-only): the embedded Flink cluster's
 * configuration and certificate, and every temporary file Flink makes (its {@code io.tmp.dirs}).
 * Deleted with everything in it when the run ends, also when it fails or is interrupted, so a run
 * leaves nothing behind in the temporary directory.
 */
final class RunScratch implements AutoCloseable {
  private final Path dir;

  private RunScratch(Path dir) {
    this.dir = dir;
    Runtime.getRuntime().addShutdownHook(new Thread(this::delete, "qkms-rekey-scratch-cleanup"));
  }

  /** A new, empty, owner-only folder in {@code java.io.tmpdir}. */
  static RunScratch create() {
    try {
      return new RunScratch(Files.createTempDirectory("qkms-rekey-"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot make a temporary folder for the run", e);
    }
  }

  Path dir() {
    return dir;
  }

  /** A sub-folder, made on first use. */
  Path folder(String name) {
    Path p = dir.resolve(name);
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot make " + p, e);
    }
  }

  /**
   * Deletes the folder. The embedded cluster shuts down asynchronously after the job's result is
   * in, and may still touch its temporary files for a moment: a few tries, then the shutdown hook
   * (left in place) sweeps once more when the JVM exits.
   */
  @Override
  public void close() {
    for (int attempt = 0; attempt < 10 && Files.exists(dir); attempt++) {
      if (attempt > 0) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      delete();
    }
  }

  private void delete() {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              tryDelete(file); // still open: the next try, or the shutdown hook, takes it
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // gone meanwhile, or not ours to read
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) {
              tryDelete(d); // not empty again (a file made meanwhile): the next try takes it
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // Best effort: a file still open by a thread that outlived the run; nothing to report it to.
    }
  }

  /** Deletes {@code p} if it can now; what it cannot is left for a later try. */
  private static void tryDelete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left for a later try
    }
  }
}
