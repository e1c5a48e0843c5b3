package io.qkms.engine;

import static io.qkms.engine.Steps.CONTEXT;
import static io.qkms.engine.Steps.ROOT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.GenerateDataKeyRequest;
import io.qkms.engine.api.model.GenerateDataKeyResponse;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.wire.Dispatcher;
import io.qkms.engine.wire.Json;
import io.qkms.engine.wire.WireResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Plaintext never leaves through ReEncrypt, nor through the toString of any value that holds it.
 * (Exception messages are checked for the canary by {@link Expect} in every error test.)
 */
class PlaintextConfinementTest extends ReEncryptFixture {
  private ReEncryptResponse reEncrypted() {
    return f.engine.reEncrypt(ROOT, toDestination().build());
  }

  @Test
  void reEncryptResponse_toString_holdsNoPlaintext() {
    Canary.assertAbsent("ReEncryptResponse.toString", reEncrypted().toString());
  }

  @Test
  void reEncryptResponse_toString_showsTheBlobOnlyByLength() {
    ReEncryptResponse r = reEncrypted();
    assertThat(
        r.toString(), containsString("ciphertextBlob=<" + r.ciphertextBlob().length + " bytes>"));
  }

  @Test
  void reEncryptResponse_json_holdsNoPlaintext() throws Exception {
    String json = Json.mapper().writeValueAsString(reEncrypted());
    Canary.assertAbsent("ReEncryptResponse JSON", json);
  }

  @Test
  void reEncryptResponse_blob_doesNotContainThePlaintextBytes() {
    String blobAsLatin1 = new String(reEncrypted().ciphertextBlob(), StandardCharsets.ISO_8859_1);
    Canary.assertAbsent("new ciphertext blob", blobAsLatin1);
  }

  /** ReEncrypt of the canary blob through the wire layer, with the source context's department. */
  private WireResponse reEncryptOverTheWire(String department) {
    String body =
        "{\"CiphertextBlob\":\""
            + Base64.getEncoder().encodeToString(blob)
            + "\",\"SourceEncryptionContext\":{\"Department\":\""
            + department
            + "\"},\"DestinationKeyId\":\""
            + destination.keyId()
            + "\"}";
    return new Dispatcher(f.engine)
        .dispatch("TrentService.ReEncrypt", body.getBytes(StandardCharsets.UTF_8), ROOT);
  }

  @Test
  void reEncrypt_overTheWire_answersWithoutPlaintext() {
    WireResponse w = reEncryptOverTheWire("Finance");
    assertThat(w.bodyText(), w.status(), equalTo(200));
    Canary.assertAbsent("wire response", w.bodyText());
  }

  @Test
  void reEncrypt_wrongContextOverTheWire_isInvalidCiphertextWithoutMessageOrPlaintext() {
    WireResponse w = reEncryptOverTheWire("Sales");
    assertThat(w.status(), equalTo(400));
    assertThat(w.bodyText(), equalTo("{\"__type\":\"InvalidCiphertextException\"}"));
  }

  @Test
  void encryptRequest_toString_holdsNoPlaintext() {
    EncryptRequest r =
        EncryptRequest.builder().keyId(source.keyId()).plaintext(Canary.bytes()).build();
    Canary.assertAbsent("EncryptRequest.toString", r.toString());
  }

  @Test
  void decryptResponse_toString_holdsNoPlaintext() {
    DecryptResponse r =
        f.engine.decrypt(
            ROOT, DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(CONTEXT).build());
    Canary.assertAbsent("DecryptResponse.toString", r.toString());
  }

  @Test
  void generateDataKeyResponse_toString_holdsNoDataKey() {
    GenerateDataKeyResponse r =
        f.engine.generateDataKey(
            ROOT,
            GenerateDataKeyRequest.builder().keyId(source.keyId()).keySpec("AES_256").build());
    String text = r.toString();
    assertThat(text, not(containsString(HexFormat.of().formatHex(r.plaintext()))));
    assertThat(text, not(containsString(Base64.getEncoder().encodeToString(r.plaintext()))));
  }
}
