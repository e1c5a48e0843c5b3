package io.qkms.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.samples.Samples;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's baseline loop does the job's work: every record, re-encrypted, once. */
class BareLoopBenchTest {
  private static final int RECORDS = 3000;

  @TempDir static Path work;
  private static Samples samples;
  private static Path input;

  @BeforeAll
  static void data() throws IOException {
    samples = Samples.at(work.resolve("samples"));
    samples.init();
    input = samples.bench(RECORDS);
  }

  private static Map<Long, GenericRecord> read(List<Path> files) throws IOException {
    Map<Long, GenericRecord> byId = new HashMap<>();
    for (Path f : files) {
      try (DataFileReader<GenericRecord> r =
          new DataFileReader<>(f.toFile(), new GenericDatumReader<>())) {
        for (GenericRecord rec : r) {
          assertThat("record read twice", byId.put((Long) rec.get("id"), rec), equalTo(null));
        }
      }
    }
    return byId;
  }

  private static byte[] bytes(GenericRecord rec) {
    ByteBuffer b = ((ByteBuffer) rec.get("secret")).duplicate();
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }

  @Test
  void run_reEncryptsEveryRecordOnce_underTheDestinationKey_keepingTheOtherFields()
      throws Exception {
    Path out = work.resolve("out");

    BareLoopBench.Result result =
        BareLoopBench.run(
            input, out, samples.keystore().toString(), "secret", Samples.NEW_KEY, 2, true);

    assertThat(result.records(), equalTo((long) RECORDS));
    assertThat(result.endMillis() >= result.firstRecordMillis(), equalTo(true));
    List<Path> files;
    try (Stream<Path> s = Files.list(out)) {
      files = s.sorted().toList();
    }
    assertThat(files.size(), greaterThan(0));
    Map<Long, GenericRecord> before = read(List.of(input));
    Map<Long, GenericRecord> after = read(files);
    assertThat(after.keySet(), equalTo(before.keySet()));
    try (FileKeyStore store =
            FileKeyStore.open(
                samples.keystore(),
                new RootKeySource.KeyFile(
                    samples.keystore().resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)),
                FileKeyStore.Mode.READ_ONLY);
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller caller = new Caller(Principal.root(Samples.ACCOUNT), Samples.US_EAST_1);
      for (Map.Entry<Long, GenericRecord> e : after.entrySet()) {
        GenericRecord old = before.get(e.getKey());
        GenericRecord now = e.getValue();
        for (String plain : List.of("customer", "country", "amount", "createdMillis")) {
          assertThat(now.get(plain).toString(), equalTo(old.get(plain).toString()));
        }
        assertThat(
            decrypt(engine, caller, bytes(now), Samples.NEW_KEY),
            equalTo(decrypt(engine, caller, bytes(old), Samples.OLD_KEY)));
      }
    }
  }

  @Test
  void run_withoutReEncrypt_copiesEveryRecordUnchanged() throws Exception {
    Path out = work.resolve("copy");

    BareLoopBench.Result result =
        BareLoopBench.run(
            input, out, samples.keystore().toString(), "secret", Samples.NEW_KEY, 3, false);

    assertThat(result.records(), equalTo((long) RECORDS));
    List<Path> files;
    try (Stream<Path> s = Files.list(out)) {
      files = s.toList();
    }
    Map<Long, GenericRecord> before = read(List.of(input));
    Map<Long, GenericRecord> after = read(files);
    assertThat(after.keySet(), equalTo(before.keySet()));
    for (Map.Entry<Long, GenericRecord> e : after.entrySet()) {
      assertThat(bytes(e.getValue()), equalTo(bytes(before.get(e.getKey()))));
    }
  }

  @Test
  void run_fieldThatIsNotTopLevelBytes_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BareLoopBench.run(
                    input,
                    work.resolve("bad"),
                    samples.keystore().toString(),
                    "customer",
                    Samples.NEW_KEY,
                    2,
                    true));

    assertThat(e.getMessage(), containsString("customer"));
  }

  @Test
  void run_noThreads_isRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            BareLoopBench.run(
                input,
                work.resolve("none"),
                samples.keystore().toString(),
                "secret",
                Samples.NEW_KEY,
                0,
                true));
  }

  private static byte[] decrypt(KmsEngine engine, Caller caller, byte[] blob, String keyId) {
    return engine
        .decrypt(caller, DecryptRequest.builder().ciphertextBlob(blob).keyId(keyId).build())
        .plaintext();
  }
}
