package io.qkms.engine.audit;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Holds a trail directory's lock from another thread of this JVM (the lock is reentrant for its
 * holder, so the test's own thread cannot hold it against the trail) until closed.
 */
final class DirectoryLockHolder implements AutoCloseable {
  private final CountDownLatch release = new CountDownLatch(1);
  private final Thread holder;

  private DirectoryLockHolder(Path dir) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    holder =
        new Thread(
            () -> {
              ReentrantLock lock = AuditTrail.directoryLock(dir);
              lock.lock();
              try {
                held.countDown();
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
              } finally {
                lock.unlock();
              }
            },
            "directory-lock-holder");
    holder.start();
    if (!held.await(10, TimeUnit.SECONDS)) {
      close();
      throw new IllegalStateException("The directory lock was not taken within 10 s");
    }
  }

  /** Returns once the lock is held. */
  static DirectoryLockHolder hold(Path dir) throws InterruptedException {
    return new DirectoryLockHolder(dir);
  }

  @Override
  public void close() throws InterruptedException {
    release.countDown();
    holder.join(TimeUnit.SECONDS.toMillis(30));
  }
}
