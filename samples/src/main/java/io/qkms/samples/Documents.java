package io.qkms.samples;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.EncryptRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The envelope sample: documents encrypted by Tink's {@code KmsEnvelopeAead} (a fresh AES-256-GCM
 * data key per document, the record ID as associated data), each data key wrapped by a QKMS key.
 * The remote AEAD Tink calls is the engine's Encrypt and Decrypt with the empty context, as Tink's
 * own KMS clients call a KMS. Plaintexts are derived from the record ID.
 */
final class Documents {
  static final String FILE = "documents.avro";
  static final String FIELD = "document";

  /** Good documents in the sample, beside one whose envelope is cut off. */
  static final int GOOD = 60;

  static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "Document", "namespace": "io.qkms.samples",
               "fields": [
                 {"name": "id", "type": "string"},
                 {"name": "title", "type": "string"},
                 {"name": "document", "type": "bytes"}]}
              """);

  private Documents() {}

  /** Tink's envelope AEAD whose data keys {@code keyId} wraps, through {@code engine}. */
  static Aead envelope(KmsEngine engine, Caller caller, String keyId) {
    try {
      AeadConfig.register();
      return KmsEnvelopeAead.create(
          PredefinedAeadParameters.AES256_GCM, new EngineAead(engine, caller, keyId));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink's envelope AEAD cannot be made", e);
    }
  }

  /**
   * The records: {@value #GOOD} documents and one ({@code doc-bad-truncated}) whose envelope is cut
   * off after a few bytes of its data key, which the job dead-letters as {@code MalformedEnvelope}.
   */
  static List<GenericRecord> records(Aead envelope) throws IOException {
    List<GenericRecord> records = new java.util.ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      String id = "doc-" + i;
      records.add(record(id, encrypt(envelope, id)));
    }
    String bad = "doc-bad-truncated";
    records.add(record(bad, Arrays.copyOf(encrypt(envelope, bad), 4 + 10)));
    return records;
  }

  static String expectedText(String id) {
    return "PLAINTEXT-document-" + id + ": the contract text, under its own data key.";
  }

  /** Whether a record is one of these documents. */
  static boolean isDocument(GenericRecord rec) {
    return rec.getSchema().getField(FIELD) != null && rec.getSchema().getField("card") == null;
  }

  /**
   * Checks one document of a run's output: it opens with {@code envelope} to the plaintext it was
   * made from.
   *
   * @return the problem, or null if none
   */
  static String problem(GenericRecord rec, Aead envelope) {
    String id = rec.get("id").toString();
    ByteBuffer b = ((ByteBuffer) rec.get(FIELD)).duplicate();
    byte[] ciphertext = new byte[b.remaining()];
    b.get(ciphertext);
    try {
      byte[] pt = envelope.decrypt(ciphertext, id.getBytes(StandardCharsets.UTF_8));
      return expectedText(id).equals(new String(pt, StandardCharsets.UTF_8))
          ? null
          : id + " " + FIELD + ": decrypts to another plaintext";
    } catch (GeneralSecurityException | RuntimeException e) {
      return id + " " + FIELD + ": " + e.getClass().getSimpleName();
    }
  }

  private static byte[] encrypt(Aead envelope, String id) throws IOException {
    try {
      return envelope.encrypt(
          expectedText(id).getBytes(StandardCharsets.UTF_8), id.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IOException("Tink could not encrypt the sample document " + id, e);
    }
  }

  private static GenericRecord record(String id, byte[] document) {
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("id", id);
    r.put("title", "Contract " + id);
    r.put(FIELD, ByteBuffer.wrap(document));
    return r;
  }

  /** Tink's remote AEAD over the engine's Encrypt and Decrypt (no context, as Tink calls a KMS). */
  private record EngineAead(KmsEngine engine, Caller caller, String keyId) implements Aead {
    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
      return engine
          .encrypt(caller, EncryptRequest.builder().keyId(keyId).plaintext(plaintext).build())
          .ciphertextBlob();
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData)
        throws GeneralSecurityException {
      try {
        return engine
            .decrypt(
                caller, DecryptRequest.builder().ciphertextBlob(ciphertext).keyId(keyId).build())
            .plaintext();
      } catch (RuntimeException e) {
        // Tink expects a GeneralSecurityException from an AEAD that cannot open a ciphertext.
        throw new GeneralSecurityException(e.getMessage(), e);
      }
    }
  }
}
