package io.qkms.engine.internal.crypto;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every Wycheproof AES-GCM vector (C2SP/wycheproof testvectors_v1/aes_gcm_test.json, see
 * src/test/resources/wycheproof/NOTICE) through {@link AesGcm}, with Tink's policy: vectors with a
 * 256-bit key, 96-bit IV and 128-bit tag must behave exactly as Wycheproof says, every other vector
 * must be refused by both seal and open, never decrypted.
 */
class AesGcmWycheproofTest {
  private static final String RESOURCE = "/wycheproof/aes_gcm_test.json";
  private static final String PINNED_SHA256 =
      "985e5ecc172e181eaf49e89508b9470dcf478002eb7e8559c707eb42dc97dfe7";
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] file;
  private static JsonNode vectors;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = AesGcmWycheproofTest.class.getResourceAsStream(RESOURCE)) {
      file = in.readAllBytes();
    }
    vectors = new ObjectMapper().readTree(file);
  }

  @Test
  void vectorFile_isThePinnedWycheproofVersion() throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(file);
    assertThat(HEX.formatHex(digest), equalTo(PINNED_SHA256));
  }

  @Test
  void wycheproof_inPolicyVectorsBehaveAsSpecified_othersAreRefused() {
    List<String> failures = new ArrayList<>();
    int inPolicy = 0;
    int refused = 0;
    int total = 0;
    for (JsonNode group : vectors.get("testGroups")) {
      boolean policy =
          group.get("keySize").asInt() == 256
              && group.get("ivSize").asInt() == 96
              && group.get("tagSize").asInt() == 128;
      for (JsonNode t : group.get("tests")) {
        total++;
        Vector v = Vector.of(t);
        if (policy) {
          inPolicy++;
          checkInPolicy(v, failures);
        } else {
          refused++;
          checkRefused(v, failures);
        }
      }
    }
    assertThat(failures, empty());
    assertThat(total, equalTo(vectors.get("numberOfTests").asInt()));
    // The pinned file has 66 such vectors (39 valid, 27 invalid); more than zero is the point.
    assertThat(inPolicy, equalTo(66));
    assertThat(refused, equalTo(total - 66));
  }

  private static void checkInPolicy(Vector v, List<String> failures) {
    String result = v.result;
    if (result.equals("valid") || result.equals("acceptable")) {
      try {
        byte[] sealed = seal(v);
        if (!Arrays.equals(sealed, v.ctAndTag())) {
          failures.add(v.name() + ": seal gave " + HEX.formatHex(sealed));
        }
      } catch (GeneralSecurityException | RuntimeException e) {
        failures.add(v.name() + ": seal threw " + e);
      }
    }
    try {
      byte[] opened = open(v, v.ctAndTag());
      if (result.equals("invalid")) {
        failures.add(v.name() + ": invalid vector decrypted");
      } else if (!Arrays.equals(opened, v.msg)) {
        failures.add(v.name() + ": open gave " + HEX.formatHex(opened));
      }
    } catch (AEADBadTagException e) {
      if (result.equals("valid")) {
        failures.add(v.name() + ": valid vector refused: " + e);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // An in-policy vector is either decrypted or fails authentication, nothing else.
      failures.add(v.name() + ": open threw " + e);
    }
  }

  private static void checkRefused(Vector v, List<String> failures) {
    try {
      byte[] sealed = seal(v);
      failures.add(v.name() + ": out-of-policy seal succeeded: " + HEX.formatHex(sealed));
    } catch (GeneralSecurityException e) {
      // refused, as required
    } catch (RuntimeException e) {
      failures.add(v.name() + ": seal threw " + e);
    }
    try {
      byte[] opened = open(v, v.ctAndTag());
      failures.add(v.name() + ": out-of-policy open decrypted: " + HEX.formatHex(opened));
    } catch (GeneralSecurityException e) {
      // refused, as required
    } catch (RuntimeException e) {
      failures.add(v.name() + ": open threw " + e);
    }
  }

  private static byte[] seal(Vector v) throws GeneralSecurityException {
    byte[] out = new byte[v.msg.length + AesGcm.TAG_SIZE_BYTES];
    int n =
        AesGcm.seal(
            new AesKey(v.key.clone()),
            v.iv,
            0,
            v.iv.length,
            v.aad,
            0,
            v.aad.length,
            null,
            v.msg,
            0,
            v.msg.length,
            out,
            0);
    return Arrays.copyOf(out, n);
  }

  private static byte[] open(Vector v, byte[] ctAndTag) throws GeneralSecurityException {
    return AesGcm.open(
        new AesKey(v.key.clone()),
        v.iv,
        0,
        v.iv.length,
        v.aad,
        0,
        v.aad.length,
        null,
        ctAndTag,
        0,
        ctAndTag.length);
  }

  private record Vector(
      int tcId,
      String comment,
      byte[] key,
      byte[] iv,
      byte[] aad,
      byte[] msg,
      byte[] ct,
      byte[] tag,
      String result) {
    static Vector of(JsonNode t) {
      return new Vector(
          t.get("tcId").asInt(),
          t.get("comment").asText(),
          HEX.parseHex(t.get("key").asText()),
          HEX.parseHex(t.get("iv").asText()),
          HEX.parseHex(t.get("aad").asText()),
          HEX.parseHex(t.get("msg").asText()),
          HEX.parseHex(t.get("ct").asText()),
          HEX.parseHex(t.get("tag").asText()),
          t.get("result").asText());
    }

    byte[] ctAndTag() {
      byte[] b = Arrays.copyOf(ct, ct.length + tag.length);
      System.arraycopy(tag, 0, b, ct.length, tag.length);
      return b;
    }

    String name() {
      return "tcId " + tcId + " (" + comment + ", " + result + ")";
    }
  }
}
