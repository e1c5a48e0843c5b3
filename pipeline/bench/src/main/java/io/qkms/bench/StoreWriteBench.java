package io.qkms.bench;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code store} part of {@code scripts/bench}: what one write costs as a file store grows. A
 * write re-encodes, encrypts, syncs and renames the whole store file, so its cost grows with the
 * keys held. Creates keys in a fresh file store and, at each size, times {@value #SAMPLES}
 * CreateKey calls (the median): {@code store.createkey_ms_at_<n>}, the store file's bytes per key,
 * and {@code store.createkey_<largest>_to_<smallest>_ratio}.
 *
 * <p>Alone: {@code java -cp <bench class path> io.qkms.bench.StoreWriteBench DIR [sizes...]}.
 */
public final class StoreWriteBench {
  static final int SAMPLES = 41;
  static final List<Integer> SIZES = List.of(100, 1_000, 3_000, 10_000);

  private StoreWriteBench() {}

  public static void main(String[] args) throws IOException {
    List<Integer> sizes =
        args.length > 1 ? Arrays.stream(args).skip(1).map(Integer::valueOf).toList() : SIZES;
    run(Path.of(args[0]), sizes)
        .forEach((k, v) -> System.out.printf(Locale.ROOT, "%s %.4f%n", k, v));
  }

  /** Runs in {@code dir} (made; must not hold a store); sizes ascending. */
  static Map<String, Double> run(Path dir, List<Integer> sizes) throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    Region region = Region.of("us-east-1");
    try (FileKeyStore store =
            FileKeyStore.create(
                dir,
                AccountId.of("111122223333"),
                List.of(region),
                new RootKeySource.KeyFile(dir.resolve("root.key")));
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller root = engine.rootCaller();
      CreateKeyRequest req = CreateKeyRequest.builder().build();
      int held = 0;
      for (int size : sizes) {
        while (held < size - SAMPLES) {
          engine.createKey(root, req);
          held++;
        }
        long[] nanos = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
          long t0 = System.nanoTime();
          engine.createKey(root, req);
          nanos[i] = System.nanoTime() - t0;
          held++;
        }
        Arrays.sort(nanos);
        out.put("store.createkey_ms_at_" + size, nanos[SAMPLES / 2] / 1e6);
        out.put(
            "store.file_bytes_per_key_at_" + size,
            (double) Files.size(dir.resolve(FileKeyStore.STORE_FILE)) / held);
      }
    }
    int first = sizes.get(0);
    int last = sizes.get(sizes.size() - 1);
    out.put(
        "store.createkey_" + last + "_to_" + first + "_ratio",
        out.get("store.createkey_ms_at_" + last) / out.get("store.createkey_ms_at_" + first));
    return out;
  }
}
