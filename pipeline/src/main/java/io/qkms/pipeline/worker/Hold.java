package io.qkms.pipeline.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pause for tests of failures in the middle of a run (a TaskManager killed, a key store taken
 * away): when the environment variable {@value #VARIABLE} names a file and that file exists, a
 * worker that has just re-encrypted a batch of records writes {@code <file>.held-<pid>} and waits
 * until the file is gone. The test then knows that records are in flight, and which process holds
 * them, before it strikes. Unset (always, outside tests), it costs one comparison per batch.
 */
public final class Hold {
  /** The environment variable naming the gate file. */
  public static final String VARIABLE = "QKMS_HOLD_FILE";

  private static final String GATE = System.getenv(VARIABLE);

  private Hold() {}

  /** Waits while the gate file exists; called by the workers between batches of records. */
  public static void betweenBatches() {
    if (GATE == null) {
      return;
    }
    Path gate = Path.of(GATE);
    if (!Files.exists(gate)) {
      return;
    }
    Path held = Path.of(GATE + ".held-" + ProcessHandle.current().pid());
    try {
      Files.writeString(held, "held");
      while (Files.exists(gate)) {
        Thread.sleep(50);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
