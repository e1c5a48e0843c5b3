package io.qkms.engine.store.file;

import io.qkms.engine.internal.store.StoreTimeoutException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write lock of a store: a lock per directory inside this JVM (file locks are per process) and
 * an exclusive lock on {@code store.lock} across processes. A writer that cannot have both within
 * its deadline gets {@link StoreTimeoutException}.
 */
final class StoreLock implements AutoCloseable {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();
  private static final long POLL_MILLIS = 10;

  private final ReentrantLock local;
  private final FileChannel channel;
  private final FileLock fileLock;

  private StoreLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
    this.local = local;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  static StoreLock acquire(Path lockFile, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ReentrantLock local =
        IN_JVM.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
    try {
      if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw timeout(timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreTimeoutException("Interrupted while waiting for the key store lock");
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      for (; ; ) {
        FileLock fl;
        try {
          fl = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          // Another store object of this JVM holds it under another spelling of the path (a
          // symbolic link): the in-JVM lock missed it, so wait for it like for another process.
          fl = null;
        }
        if (fl != null) {
          return new StoreLock(local, ch, fl);
        }
        if (System.nanoTime() > deadline) {
          throw timeout(timeout);
        }
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreTimeoutException("Interrupted while waiting for the key store lock");
        }
      }
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      local.unlock();
      throw e;
    }
  }

  private static StoreTimeoutException timeout(Duration timeout) {
    return new StoreTimeoutException(
        "Another writer held the key store lock for longer than " + timeout.toMillis() + " ms");
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      local.unlock();
    }
  }
}
