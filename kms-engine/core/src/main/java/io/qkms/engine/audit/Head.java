package io.qkms.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * {@code audit.head}: the file being written, the last seq and the last line's hash, with an HMAC
 * under the digest key, so that the trail's last lines (not yet under a digest) are covered too.
 */
record Head(String file, long seq, String hash) {
  /** The head's bytes on disk: its JSON padded with spaces (it is about 250 bytes). */
  static final int SIZE = 512;

  static Head read(FileChannel channel, byte[] key) throws IOException {
    long size = channel.size();
    if (size == 0) {
      return new Head(null, 0, AuditTrail.ZERO_HASH);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, 4096));
    channel.read(buf, 0);
    return parse(buf.array(), buf.position(), key);
  }

  static Head parse(byte[] bytes, int length, byte[] key) throws IOException {
    JsonNode n = AuditTrail.JSON.readTree(bytes, 0, length);
    Head h = new Head(n.path("file").asText(), n.path("seq").asLong(), n.path("hash").asText());
    byte[] mac = HexFormat.of().parseHex(n.path("hmac").asText());
    if (!MessageDigest.isEqual(mac, h.mac(key))) {
      throw new IOException("The audit head " + AuditTrail.HEAD + " fails its HMAC check");
    }
    return h;
  }

  byte[] mac(byte[] key) {
    return AuditFiles.hmac(key, "qkms-audit-head-v1\n" + file + "\n" + seq + "\n" + hash);
  }

  /** Writes the head over the old one; returns the bytes written. */
  byte[] write(FileChannel channel, byte[] key) throws IOException {
    ObjectNode n = AuditTrail.JSON.createObjectNode();
    n.put("file", file);
    n.put("seq", seq);
    n.put("hash", hash);
    n.put("hmac", HexFormat.of().formatHex(mac(key)));
    byte[] json = AuditTrail.JSON.writeValueAsBytes(n);
    // Overwritten in place at a fixed size, never truncated to zero: ext4 writes back a file that
    // was truncated and rewritten when it is closed (auto_da_alloc), which made every append wait
    // on the disk. The padding is JSON whitespace; a head longer than SIZE (none is) is written as
    // it is.
    byte[] bytes = json;
    if (json.length < SIZE) {
      bytes = Arrays.copyOf(json, SIZE);
      Arrays.fill(bytes, json.length, SIZE - 1, (byte) ' ');
      bytes[SIZE - 1] = '\n';
    }
    ByteBuffer out = ByteBuffer.wrap(bytes);
    long pos = 0;
    while (out.hasRemaining()) {
      pos += channel.write(out, pos);
    }
    if (channel.size() > pos) {
      channel.truncate(pos); // a longer head from before
    }
    return bytes;
  }
}
