package io.qkms.engine.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Names of the trail's files, and the hashes over them. */
final class AuditFiles {
  private static final Pattern NAME = Pattern.compile("audit-(\\d{6})-(\\d{8})\\.jsonl");
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

  private AuditFiles() {}

  static String name(long index, LocalDate day) {
    return String.format("audit-%06d-%s.jsonl", index, DAY.format(day));
  }

  static long index(String name) {
    return Long.parseLong(match(name).group(1));
  }

  static LocalDate day(String name) {
    return LocalDate.parse(match(name).group(2), DAY);
  }

  private static Matcher match(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException("Not an audit file name: " + name);
    }
    return m;
  }

  /** The trail's files, in order. */
  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
    }
  }

  static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * HMAC-SHA256 of {@code text} under {@code key}. The JDK's, whose SHA-256 the JVM compiles to the
   * CPU's SHA instructions: the writer signs the head once per batch.
   */
  static byte[] hmac(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
