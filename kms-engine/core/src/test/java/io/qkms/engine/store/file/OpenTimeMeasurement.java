package io.qkms.engine.store.file;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.model.CreateKeyRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Measures how long opening a file store takes by number of keys (run by hand, not a test):
 *
 * <pre>
 * java -cp "$(cat target/test-classpath.txt)" io.qkms.engine.store.file.OpenTimeMeasurement 1000 10000 50000
 * </pre>
 *
 * Prints, per size: file size, the first open in a fresh JVM (class loading and JIT included: what
 * a command-line call pays), the median of later opens, and one key creation (a whole rewrite).
 */
final class OpenTimeMeasurement {
  private OpenTimeMeasurement() {}

  public static void main(String[] args) throws IOException {
    boolean first = true;
    for (String arg : args) {
      int n = Integer.parseInt(arg);
      Path dir = Files.createTempDirectory("qkms-open-" + n + "-");
      try {
        try (FileKeyStore store = FileStores.createWithKeyFile(dir)) {
          FileKeyStoreScaleTest.fill(store, n);
        }
        long size = Files.size(dir.resolve(FileKeyStore.STORE_FILE));
        long coldNanos = timeOpen(dir);
        long[] warm = new long[9];
        for (int i = 0; i < warm.length; i++) {
          warm[i] = timeOpen(dir);
        }
        Arrays.sort(warm);
        long writeNanos;
        try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
            KmsEngine engine =
                FileStores.engine(store, FileStores.clock(), Duration.ofMinutes(1))) {
          long t = System.nanoTime();
          engine.createKey(FileStores.root(), CreateKeyRequest.builder().build());
          writeNanos = System.nanoTime() - t;
        }
        System.out.printf(
            "keys=%d file=%.1f MiB open(%s)=%d ms open(median of 9)=%d ms createKey=%d ms%n",
            n,
            size / 1048576.0,
            first ? "first in JVM" : "first of size",
            coldNanos / 1_000_000,
            warm[warm.length / 2] / 1_000_000,
            writeNanos / 1_000_000);
        first = false;
      } finally {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static long timeOpen(Path dir) {
    long t = System.nanoTime();
    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY)) {
      store.read(Duration.ofSeconds(5));
    }
    return System.nanoTime() - t;
  }
}
