package io.qkms.pipeline.testing;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/** Reading a run's files back, and decrypting with a real engine over the samples' key store. */
public final class Outputs {
  private Outputs() {}

  public static List<Path> parts(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<GenericRecord> avro(Path dir) {
    List<GenericRecord> out = new ArrayList<>();
    for (Path p : parts(dir)) {
      out.addAll(avroFile(p));
    }
    return out;
  }

  public static List<GenericRecord> avroFile(Path file) {
    List<GenericRecord> out = new ArrayList<>();
    try (DataFileReader<GenericRecord> r =
        new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
      r.forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public static List<String> lines(Path dir) {
    List<String> out = new ArrayList<>();
    for (Path p : parts(dir)) {
      try {
        for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          if (!l.isEmpty()) {
            out.add(l);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  public static byte[] bytes(Object byteBuffer) {
    ByteBuffer b = ((ByteBuffer) byteBuffer).duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** An administrator's engine over the samples' store (read-write, root, system clock). */
  public static final class Admin implements AutoCloseable {
    public final FileKeyStore store;
    public final KmsEngine engine;

    public Admin(Samples samples) {
      store =
          FileKeyStore.open(
              samples.keystore(),
              new RootKeySource.KeyFile(samples.keystore().resolve("root.key")),
              FileKeyStore.Mode.READ_WRITE);
      engine = KmsEngine.builder().keyStore(store).build();
    }

    public Caller caller(Region region) {
      return new Caller(Principal.root(engine.accountId()), region);
    }

    /** {@code plaintext} (UTF-8) encrypted under {@code keyId} in us-east-1, with no context. */
    public byte[] encrypt(String keyId, String plaintext) {
      return engine
          .encrypt(
              caller(Samples.US_EAST_1),
              EncryptRequest.builder()
                  .keyId(keyId)
                  .plaintext(plaintext.getBytes(StandardCharsets.UTF_8))
                  .build())
          .ciphertextBlob();
    }

    /** The plaintext of {@code blob}, decrypted as {@code keyId} demands, as UTF-8 text. */
    public String decrypt(byte[] blob, String keyId, Map<String, String> context, Region region) {
      return new String(
          engine
              .decrypt(
                  caller(region),
                  DecryptRequest.builder()
                      .ciphertextBlob(blob)
                      .keyId(keyId)
                      .encryptionContext(context)
                      .build())
              .plaintext(),
          StandardCharsets.UTF_8);
    }

    public String arn(String keyId, Region region) {
      return engine.currentKeyMaterial(caller(region), keyId).keyArn();
    }

    @Override
    public void close() {
      engine.close();
      store.close();
    }
  }
}
