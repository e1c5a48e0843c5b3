package io.qkms.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A plain SigV4 header signer for tests, written apart from the server's verifier (Strings and the
 * JCA, no shared code) so that the two cannot share a mistake. Checked against the AWS suite.
 */
final class TestSigner {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private TestSigner() {}

  /**
   * The headers to send: {@code headers} (names as given), {@code X-Amz-Date} and {@code
   * Authorization}. Every given header and {@code host} are signed.
   */
  static Map<String, String> sign(
      String method,
      String host,
      String path,
      Map<String, String> headers,
      byte[] body,
      String accessKeyId,
      String secret,
      String region,
      String service,
      Instant time) {
    String amzDate = AMZ_DATE.format(time);
    String date = amzDate.substring(0, 8);
    TreeMap<String, String> canonical = new TreeMap<>();
    headers.forEach((k, v) -> canonical.put(k.toLowerCase(Locale.ROOT), v.strip()));
    canonical.put("host", host);
    canonical.put("x-amz-date", amzDate);
    StringBuilder creq = new StringBuilder();
    creq.append(method).append('\n').append(path).append('\n').append('\n');
    canonical.forEach((k, v) -> creq.append(k).append(':').append(v).append('\n'));
    String signedHeaders = String.join(";", canonical.keySet());
    creq.append('\n').append(signedHeaders).append('\n').append(hex(sha256(body)));
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String sts =
        "AWS4-HMAC-SHA256\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + hex(sha256(creq.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    k = hmac(k, "aws4_request");
    String signature = hex(hmac(k, sts));
    Map<String, String> out = new TreeMap<>(headers);
    out.put("X-Amz-Date", amzDate);
    out.put(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential="
            + accessKeyId
            + "/"
            + scope
            + ", SignedHeaders="
            + signedHeaders
            + ", Signature="
            + signature);
    return out;
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
