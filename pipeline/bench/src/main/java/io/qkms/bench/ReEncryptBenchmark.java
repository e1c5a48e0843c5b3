package io.qkms.bench;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.InMemoryKeyStore;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ReEncrypt through the real engine (in-memory store, keys cached) from one key to another, with a
 * two-entry encryption context on each side, as the re-key job calls it. Each thread works through
 * a pool of {@value #POOL} distinct blobs (distinct plaintexts, each with its own nonce), not one
 * blob over and over, which would be the key cache's and the derived key's best case. Compare with
 * {@link AesGcmFloorBenchmark} of the same payload size measured in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReEncryptBenchmark {
  static final int POOL = 1024;
  static final Map<String, String> SOURCE_CONTEXT = Map.of("tenant", "acme", "table", "cards");
  static final Map<String, String> DESTINATION_CONTEXT = Map.of("tenant", "acme", "table", "v2");

  @Param({"64", "1024", "4096"})
  public int payloadBytes;

  private InMemoryKeyStore store;
  private KmsEngine engine;
  private Caller caller;
  private ReEncryptRequest[] requests;

  /** Where a thread is in the pool; the threads start at different places. */
  @State(Scope.Thread)
  public static class Cursor {
    private static final AtomicInteger STARTS = new AtomicInteger();
    int next = STARTS.getAndAdd(POOL / 2) % POOL;
  }

  @Setup(Level.Trial)
  public void setUp() {
    store = InMemoryKeyStore.create(AccountId.of("111122223333"), Region.of("us-east-1"));
    engine = KmsEngine.builder().keyStore(store).build();
    caller = engine.rootCaller();
    String source =
        engine.createKey(caller, CreateKeyRequest.builder().build()).keyMetadata().arn();
    String destination =
        engine.createKey(caller, CreateKeyRequest.builder().build()).keyMetadata().arn();
    Random random = new Random(1);
    requests = new ReEncryptRequest[POOL];
    for (int i = 0; i < POOL; i++) {
      byte[] plaintext = new byte[payloadBytes];
      random.nextBytes(plaintext);
      byte[] blob =
          engine
              .encrypt(
                  caller,
                  EncryptRequest.builder()
                      .keyId(source)
                      .plaintext(plaintext)
                      .encryptionContext(SOURCE_CONTEXT)
                      .build())
              .ciphertextBlob();
      requests[i] =
          ReEncryptRequest.builder()
              .ciphertextBlob(blob)
              .destinationKeyId(destination)
              .sourceEncryptionContext(SOURCE_CONTEXT)
              .destinationEncryptionContext(DESTINATION_CONTEXT)
              .build();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
    store.close();
  }

  @Benchmark
  public byte[] reEncrypt(Cursor cursor) {
    int i = cursor.next;
    cursor.next = (i + 1) % POOL;
    return engine.reEncrypt(caller, requests[i]).ciphertextBlob();
  }
}
