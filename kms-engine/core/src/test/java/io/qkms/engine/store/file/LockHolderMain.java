package io.qkms.engine.store.file;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process that takes a store's write lock and keeps it until it is killed: prints {@code
 * locked} once it holds it. Argument: the store directory.
 */
final class LockHolderMain {
  private LockHolderMain() {}

  public static void main(String[] args) {
    try (FileKeyStore store =
        FileStores.openWithKeyFile(Path.of(args[0]), FileKeyStore.Mode.READ_WRITE)) {
      store.update(
          Duration.ofSeconds(10),
          s -> {
            System.out.println("locked");
            System.out.flush();
            try {
              Thread.sleep(Duration.ofMinutes(2).toMillis()); // until the test kills us
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return s;
          });
    }
  }
}
