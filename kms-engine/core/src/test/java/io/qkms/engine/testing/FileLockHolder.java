package io.qkms.engine.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Another process holding the OS lock on a file (created if missing) until it is killed: run it
 * with {@link ChildJvm#start}{@code (FileLockHolder.class, path)}; it prints {@code locked} once it
 * holds the lock.
 */
public final class FileLockHolder {
  private FileLockHolder() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    try (FileChannel c =
            FileChannel.open(
                Path.of(args[0]),
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock = c.lock()) {
      System.out.println("locked");
      System.out.flush();
      Thread.sleep(Duration.ofMinutes(2).toMillis()); // until the test kills it
    }
  }
}
