package io.qkms.engine.wire;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.qkms.engine.api.model.AliasListEntry;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.EncryptResponse;
import io.qkms.engine.api.model.GenerateDataKeyRequest;
import io.qkms.engine.api.model.GenerateDataKeyResponse;
import io.qkms.engine.api.model.GenerateDataKeyWithoutPlaintextResponse;
import io.qkms.engine.api.model.KeyListEntry;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The wire conventions of {@link Json#mapper()}: dates as epoch-second numbers with milliseconds,
 * absent members omitted, blobs as base64; and the model's {@code toString}, which shows blobs only
 * by length because they may be plaintext.
 */
class JsonMapperTest {
  private static final ObjectMapper JSON = Json.mapper();
  private static final byte[] SECRET = "SECRET-PLAINTEXT-7f3a9c".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OTHER_SECRET = "OTHER-SECRET-41c2".getBytes(StandardCharsets.UTF_8);

  // ---- Dates ----------------------------------------------------------------------------------

  @Test
  void instant_serializesAsEpochSecondsWithMillis() throws Exception {
    assertThat(
        JSON.writeValueAsString(Instant.parse("2026-01-01T00:00:01.234Z")),
        equalTo("1767225601.234"));
  }

  @Test
  void instant_belowAMillisecond_isTruncatedToMillis() throws Exception {
    assertThat(
        JSON.writeValueAsString(Instant.parse("2026-01-01T00:00:01.234567891Z")),
        equalTo("1767225601.234"));
  }

  @Test
  void instant_readsFromEpochSecondsWithMillis() throws Exception {
    assertThat(
        JSON.readValue("1767225601.234", Instant.class),
        equalTo(Instant.parse("2026-01-01T00:00:01.234Z")));
  }

  @Test
  void instant_readsFromWholeEpochSeconds() throws Exception {
    assertThat(
        JSON.readValue("1767225601", Instant.class),
        equalTo(Instant.parse("2026-01-01T00:00:01Z")));
  }

  @Test
  void instant_fromIsoString_isRefused() {
    assertThrows(
        MismatchedInputException.class,
        () -> JSON.readValue("\"2026-01-01T00:00:01Z\"", Instant.class));
  }

  @Test
  void recordWithDates_roundTripsThroughEpochSeconds() throws Exception {
    AliasListEntry entry =
        new AliasListEntry(
            "alias/a",
            "arn:verenc:111122223333:alias/a",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            Instant.parse("2026-01-01T00:00:01.234Z"),
            Instant.parse("2026-01-02T00:00:00.500Z"));
    String json = JSON.writeValueAsString(entry);
    assertThat(
        json,
        allOf(
            containsString("\"CreationDate\":1767225601.234"),
            containsString("\"LastUpdatedDate\":1767312000.500")));
    assertThat(JSON.readValue(json, AliasListEntry.class), equalTo(entry));
  }

  // ---- Absent members and blobs ---------------------------------------------------------------

  @Test
  void nullMembers_areOmitted() throws Exception {
    assertThat(
        JSON.writeValueAsString(new KeyListEntry("1234abcd-12ab-34cd-56ef-1234567890ab", null)),
        equalTo("{\"KeyId\":\"1234abcd-12ab-34cd-56ef-1234567890ab\"}"));
  }

  @Test
  void requestWithNothingSet_isAnEmptyObject() throws Exception {
    assertThat(JSON.writeValueAsString(EncryptRequest.builder().build()), equalTo("{}"));
  }

  @Test
  void nullListsAndNestedObjects_areOmitted() throws Exception {
    assertThat(
        JSON.writeValueAsString(KeyMetadata.builder().keyId("k").enabled(false).build()),
        equalTo("{\"KeyId\":\"k\",\"Enabled\":false}"));
  }

  @Test
  void blobs_serializeAsBase64Strings() throws Exception {
    assertThat(
        JSON.writeValueAsString(new EncryptResponse(new byte[] {1, 2, 3}, "k", null)),
        equalTo("{\"CiphertextBlob\":\"AQID\",\"KeyId\":\"k\"}"));
  }

  // ---- toString shows blob lengths only -------------------------------------------------------

  /** Shows {@code <n bytes>} for the blob and nothing of its content in any form. */
  private static Matcher<String> showsOnlyLengthOf(byte[]... blobs) {
    Matcher<String> m = not(containsString("[B@"));
    for (byte[] blob : blobs) {
      m =
          allOf(
              m,
              containsString("<" + blob.length + " bytes>"),
              not(containsString(new String(blob, StandardCharsets.UTF_8))),
              not(containsString(Base64.getEncoder().encodeToString(blob))),
              not(containsString(blob[0] + ", " + blob[1])));
    }
    return m;
  }

  @Test
  void encryptRequest_toString_showsPlaintextLengthOnly() {
    EncryptRequest r = EncryptRequest.builder().keyId("alias/a").plaintext(SECRET).build();
    assertThat(r.toString(), allOf(showsOnlyLengthOf(SECRET), containsString("keyId=alias/a")));
  }

  @Test
  void encryptResponse_toString_showsCiphertextLengthOnly() {
    assertThat(
        new EncryptResponse(SECRET, "arn", "SYMMETRIC_DEFAULT").toString(),
        showsOnlyLengthOf(SECRET));
  }

  @Test
  void decryptRequest_toString_showsCiphertextLengthOnly() {
    DecryptRequest r =
        DecryptRequest.builder()
            .ciphertextBlob(SECRET)
            .encryptionContext(Map.of("Purpose", "Test"))
            .build();
    assertThat(r.toString(), showsOnlyLengthOf(SECRET));
  }

  @Test
  void decryptResponse_toString_showsPlaintextLengthOnly() {
    assertThat(
        new DecryptResponse("arn", SECRET, "SYMMETRIC_DEFAULT", "m").toString(),
        showsOnlyLengthOf(SECRET));
  }

  @Test
  void reEncryptRequest_toString_showsCiphertextLengthOnly() {
    ReEncryptRequest r =
        ReEncryptRequest.builder().ciphertextBlob(SECRET).destinationKeyId("alias/b").build();
    assertThat(r.toString(), showsOnlyLengthOf(SECRET));
  }

  @Test
  void reEncryptResponse_toString_showsCiphertextLengthOnly() {
    assertThat(
        new ReEncryptResponse(SECRET, "a", "b", "SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT", "m", "n")
            .toString(),
        showsOnlyLengthOf(SECRET));
  }

  @Test
  void generateDataKeyRequest_toString_holdsNoBlob() {
    // The request carries no blob; its toString is the plain record form.
    GenerateDataKeyRequest r =
        GenerateDataKeyRequest.builder().keyId("alias/a").numberOfBytes(32).build();
    assertThat(r.toString(), allOf(containsString("numberOfBytes=32"), not(containsString("[B@"))));
  }

  @Test
  void generateDataKeyResponse_toString_showsBothBlobLengthsOnly() {
    assertThat(
        new GenerateDataKeyResponse(OTHER_SECRET, SECRET, "arn", "m").toString(),
        showsOnlyLengthOf(OTHER_SECRET, SECRET));
  }

  @Test
  void generateDataKeyWithoutPlaintextResponse_toString_showsCiphertextLengthOnly() {
    assertThat(
        new GenerateDataKeyWithoutPlaintextResponse(SECRET, "arn", "m").toString(),
        showsOnlyLengthOf(SECRET));
  }
}
