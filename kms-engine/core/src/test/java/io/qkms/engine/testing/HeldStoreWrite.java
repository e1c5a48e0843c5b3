package io.qkms.engine.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.qkms.engine.internal.store.StateStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * A store write that another thread holds open, so that every other writer (and, on a file store,
 * every other process) waits for it: how the tests make a store slow without a fake. {@link #start}
 * returns once the write holds the store; {@link #close} lets it finish and rethrows what it failed
 * with.
 */
public final class HeldStoreWrite implements AutoCloseable {
  private static final long WAIT_SECONDS = 10;

  private final CountDownLatch release = new CountDownLatch(1);
  private final FutureTask<Void> write;

  private HeldStoreWrite(StateStore store) {
    CountDownLatch holding = new CountDownLatch(1);
    write =
        new FutureTask<>(
            () -> {
              store.update(
                  Duration.ofSeconds(5),
                  s -> {
                    holding.countDown();
                    try {
                      release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    return s;
                  });
              return null;
            });
    Thread writer = new Thread(write, "held-store-write");
    writer.setDaemon(true);
    writer.start();
    try {
      assertThat(
          "the write holds the store", holding.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the write to hold the store", e);
    }
  }

  /** Starts a write on {@code store} and returns once it holds the store. */
  public static HeldStoreWrite start(StateStore store) {
    return new HeldStoreWrite(store);
  }

  /** Lets the write finish and waits for it. */
  @Override
  public void close() throws Exception {
    release.countDown();
    write.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
