package io.qkms.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/** A closed file's digest: {@code <file>.digest}, JSON, HMAC-SHA256 under the digest key. */
final class Digests {
  static final String SUFFIX = ".digest";

  private Digests() {}

  static String signed(String file, String sha256, long lines, String lastHash) {
    return "qkms-audit-digest-v1\n" + file + "\n" + sha256 + "\n" + lines + "\n" + lastHash;
  }

  /** What a digest says of a file: its SHA-256, its line count and its last line's hash. */
  record Summary(String sha256, long lines, String lastHash) {}

  static Summary summarize(byte[] bytes) {
    long lines = 0;
    int lastStart = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        lines++;
        if (i + 1 < bytes.length) {
          lastStart = i + 1;
        }
      }
    }
    String lastHash =
        lines == 0
            ? AuditTrail.ZERO_HASH
            : AuditFiles.sha256Hex(Arrays.copyOfRange(bytes, lastStart, bytes.length - 1));
    return new Summary(AuditFiles.sha256Hex(bytes), lines, lastHash);
  }

  /** Writes the digest of {@code file}, read from the file. */
  static void write(Path dir, String file, byte[] key) throws IOException {
    Path path = dir.resolve(file);
    write(dir, file, key, summarize(Files.exists(path) ? Files.readAllBytes(path) : new byte[0]));
  }

  /**
   * Writes the digest of {@code file} from {@code summary}, which the caller knows to be its own.
   */
  static void write(Path dir, String file, byte[] key, Summary summary) throws IOException {
    Path path = dir.resolve(file);
    String sha = summary.sha256();
    long lines = summary.lines();
    String lastHash = summary.lastHash();
    ObjectNode n = AuditTrail.JSON.createObjectNode();
    n.put("file", file);
    n.put("sha256", sha);
    n.put("lines", lines);
    n.put("lastHash", lastHash);
    n.put(
        "hmac", HexFormat.of().formatHex(AuditFiles.hmac(key, signed(file, sha, lines, lastHash))));
    Path tmp = dir.resolve(file + SUFFIX + ".tmp");
    Files.write(tmp, AuditTrail.JSON.writeValueAsBytes(n));
    try (var c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    if (Files.exists(path)) {
      try (var c = FileChannel.open(path, StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }
    Files.move(tmp, dir.resolve(file + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Null if the digest matches the file's bytes and its HMAC checks; otherwise what is wrong. */
  static String check(Path dir, String file, byte[] bytes, byte[] key) throws IOException {
    Path d = dir.resolve(file + SUFFIX);
    JsonNode n;
    try {
      n = AuditTrail.JSON.readTree(Files.readAllBytes(d));
    } catch (IOException e) {
      return "its digest " + d.getFileName() + " cannot be read: " + e.getMessage();
    }
    String sha = n.path("sha256").asText();
    byte[] mac;
    try {
      mac = HexFormat.of().parseHex(n.path("hmac").asText());
    } catch (IllegalArgumentException e) {
      return "its digest " + d.getFileName() + " fails its HMAC check";
    }
    byte[] expected =
        AuditFiles.hmac(
            key,
            signed(
                n.path("file").asText(),
                sha,
                n.path("lines").asLong(),
                n.path("lastHash").asText()));
    if (!MessageDigest.isEqual(mac, expected) || !file.equals(n.path("file").asText())) {
      return "its digest " + d.getFileName() + " fails its HMAC check (the digest was altered)";
    }
    if (!sha.equals(AuditFiles.sha256Hex(bytes))) {
      return "its bytes do not match its digest " + d.getFileName() + " (the file was altered)";
    }
    return null;
  }
}
