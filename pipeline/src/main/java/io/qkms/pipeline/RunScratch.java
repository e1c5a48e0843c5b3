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
  private final Thread onExit;

  private RunScratch(Path dir) {
    this.dir = dir;
    this.onExit = new Thread(this::delete, "qkms-rekey-scratch-cleanup");
    Runtime.getRuntime().addShutdownHook(onExit);
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

  @Override
  public void close() {
    delete();
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs (or ran) the same delete.
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
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // Best effort: a file still open by a thread that outlived the run; nothing to report it to.
    }
  }
}
