package io.qkms.engine.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.internal.crypto.Xaes256Gcm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The store file, {@code store.qks}:
 *
 * <pre>
 * 8 bytes  magic "QKMSKS", 0x00, format version 0x01
 * 4 bytes  header length n (big-endian)
 * n bytes  header, UTF-8 JSON: storeId, revision, rootKey ("file" or "passphrase"), kdf (Argon2id
 *          parameters, passphrase stores only), keyCheck, compression ("deflate"; absent in files written before it
 *          existed, whose state is not deflated)
 * 24 bytes XAES-256-GCM nonce
 * rest     the state (JSON, see StateCodec), deflated, encrypted under the state key, then the
 *          16-byte tag; the associated data is every byte before the nonce, so the header is
 *          authenticated too
 * </pre>
 *
 * <p>Deflating first makes the file a third of the size (the JSON repeats its member names for
 * every key), and so a third of the bytes to decrypt and authenticate at every open.
 */
final class StoreFile {
  static final byte[] MAGIC = {'Q', 'K', 'M', 'S', 'K', 'S', 0x00, 0x01};
  private static final int PREFIX_BYTES = MAGIC.length + 4;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The cleartext header. {@code kdf} is null for a store protected by a root key file. */
  record Header(String storeId, long revision, KdfParams kdf, String keyCheck) {}

  /** A parsed file: its header, where the authenticated prefix ends, whether it is deflated. */
  record Parsed(Header header, byte[] bytes, int aadLength, boolean deflated) {}

  private static final String DEFLATE = "deflate";

  /** The most a state may inflate to: far beyond any real store, short of exhausting memory. */
  private static final int MAX_STATE_BYTES = 1 << 30;

  private StoreFile() {}

  static byte[] encode(Header header, RootKeys keys, byte[] stateJson) {
    return encode(header, keys, stateJson, true);
  }

  /** With {@code deflate} false, a file as written before compression existed (for tests). */
  static byte[] encode(Header header, RootKeys keys, byte[] stateJson, boolean deflate) {
    if (!deflate) {
      return seal(headerJson(header, false), keys, stateJson);
    }
    byte[] body = deflate(stateJson);
    try {
      return seal(headerJson(header, true), keys, body);
    } finally {
      Bytes.zero(body);
    }
  }

  private static byte[] seal(byte[] headerJson, RootKeys keys, byte[] stateJson) {
    int aadLength = PREFIX_BYTES + headerJson.length;
    byte[] out =
        new byte
            [aadLength
                + Xaes256Gcm.NONCE_SIZE_BYTES
                + stateJson.length
                + Xaes256Gcm.TAG_SIZE_BYTES];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    ByteBuffer.wrap(out, MAGIC.length, 4).putInt(headerJson.length);
    System.arraycopy(headerJson, 0, out, PREFIX_BYTES, headerJson.length);
    byte[] nonce = new byte[Xaes256Gcm.NONCE_SIZE_BYTES];
    Randomness.current().nextBytes(nonce);
    System.arraycopy(nonce, 0, out, aadLength, nonce.length);
    Xaes256Gcm.Key key = Xaes256Gcm.newKey(keys.stateKey);
    try {
      Xaes256Gcm.seal(
          key,
          out,
          aadLength,
          out,
          0,
          aadLength,
          null,
          stateJson,
          0,
          stateJson.length,
          out,
          aadLength + nonce.length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } finally {
      key.destroy();
    }
    return out;
  }

  static Parsed parse(byte[] file, String where) {
    if (file.length < PREFIX_BYTES
        || !Arrays.equals(file, 0, MAGIC.length - 1, MAGIC, 0, MAGIC.length - 1)) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.TAMPERED,
          where + " is not a QKMS key store file, or it was damaged");
    }
    if (file[MAGIC.length - 1] != MAGIC[MAGIC.length - 1]) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.UNSUPPORTED_FORMAT,
          where
              + " has key store format version "
              + file[MAGIC.length - 1]
              + ", which this QKMS does not read");
    }
    int n = ByteBuffer.wrap(file, MAGIC.length, 4).getInt();
    if (n <= 0
        || n > MAX_HEADER_BYTES
        || PREFIX_BYTES + n + Xaes256Gcm.NONCE_SIZE_BYTES + Xaes256Gcm.TAG_SIZE_BYTES
            > file.length) {
      throw tampered(where);
    }
    Header header;
    boolean deflated;
    try {
      JsonNode h = JSON.readTree(new String(file, PREFIX_BYTES, n, StandardCharsets.UTF_8));
      header = parseHeader(h);
      JsonNode compression = h.get("compression");
      if (compression != null && !compression.asText().equals(DEFLATE)) {
        throw new IllegalArgumentException("Unknown compression");
      }
      deflated = compression != null;
    } catch (IOException | RuntimeException e) {
      throw tampered(where);
    }
    return new Parsed(header, file, PREFIX_BYTES + n, deflated);
  }

  static byte[] decryptState(Parsed p, RootKeys keys, String where) {
    byte[] body = open(p, keys, where);
    if (!p.deflated()) {
      return body;
    }
    try {
      return inflate(body);
    } catch (DataFormatException e) {
      // Authenticated, yet not deflate: not written by QKMS.
      throw tampered(where);
    } finally {
      Bytes.zero(body);
    }
  }

  private static byte[] open(Parsed p, RootKeys keys, String where) {
    byte[] f = p.bytes();
    Xaes256Gcm.Key key = Xaes256Gcm.newKey(keys.stateKey);
    try {
      return Xaes256Gcm.open(
          key,
          f,
          p.aadLength(),
          f,
          0,
          p.aadLength(),
          null,
          f,
          p.aadLength() + Xaes256Gcm.NONCE_SIZE_BYTES,
          f.length - p.aadLength() - Xaes256Gcm.NONCE_SIZE_BYTES);
    } catch (GeneralSecurityException e) {
      throw tampered(where);
    } finally {
      key.destroy();
    }
  }

  /**
   * The authenticated prefix of a store file and its nonce: the header (with the revision) and the
   * random nonce every write draws afresh, so two different writes have different fingerprints.
   */
  static byte[] fingerprint(Parsed p) {
    return Arrays.copyOf(p.bytes(), p.aadLength() + Xaes256Gcm.NONCE_SIZE_BYTES);
  }

  /** The fingerprint of a file this process encoded. */
  static byte[] fingerprint(byte[] encoded) {
    int n = ByteBuffer.wrap(encoded, MAGIC.length, 4).getInt();
    return Arrays.copyOf(encoded, PREFIX_BYTES + n + Xaes256Gcm.NONCE_SIZE_BYTES);
  }

  /**
   * Reads just the fingerprint of the file at {@code path}: a few hundred bytes. A damaged file
   * yields bytes that match no loaded fingerprint, so the caller reloads and reports the damage.
   */
  static byte[] readFingerprint(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES);
      readFully(ch, prefix);
      int n = prefix.hasRemaining() ? -1 : prefix.getInt(MAGIC.length);
      if (n <= 0 || n > MAX_HEADER_BYTES) {
        return Arrays.copyOf(prefix.array(), prefix.position());
      }
      ByteBuffer all = ByteBuffer.allocate(PREFIX_BYTES + n + Xaes256Gcm.NONCE_SIZE_BYTES);
      all.put(prefix.flip());
      readFully(ch, all);
      return Arrays.copyOf(all.array(), all.position());
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining() && ch.read(buf) >= 0) {
      // keep reading until full or end of file
    }
  }

  private static byte[] deflate(byte[] in) {
    // Fastest level: a third of the size already, at a tenth of the cost of the default level.
    Deflater d = new Deflater(Deflater.BEST_SPEED);
    try {
      d.setInput(in);
      d.finish();
      byte[] out = new byte[in.length / 2 + 64];
      int n = 0;
      while (!d.finished()) {
        if (n == out.length) {
          out = grow(out, n);
        }
        n += d.deflate(out, n, out.length - n);
      }
      byte[] result = Arrays.copyOf(out, n);
      Bytes.zero(out);
      return result;
    } finally {
      d.end();
    }
  }

  private static byte[] inflate(byte[] in) throws DataFormatException {
    Inflater inf = new Inflater();
    try {
      inf.setInput(in);
      byte[] out = new byte[Math.max(1024, in.length * 4)];
      int n = 0;
      while (!inf.finished()) {
        if (n == out.length) {
          if (out.length >= MAX_STATE_BYTES) {
            throw new DataFormatException("The state inflates beyond " + MAX_STATE_BYTES);
          }
          out = grow(out, n);
        }
        int got = inf.inflate(out, n, out.length - n);
        if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new DataFormatException("Truncated deflate stream");
        }
        n += got;
      }
      byte[] result = Arrays.copyOf(out, n);
      Bytes.zero(out);
      return result;
    } finally {
      inf.end();
    }
  }

  /** A buffer twice as large holding the first {@code n} bytes; the old one is zeroed. */
  private static byte[] grow(byte[] buf, int n) {
    byte[] bigger = Arrays.copyOf(buf, (int) Math.min(MAX_STATE_BYTES, 2L * buf.length));
    Bytes.zero(buf);
    return bigger;
  }

  static KeyStoreOpenException tampered(String where) {
    return new KeyStoreOpenException(
        KeyStoreOpenException.Problem.TAMPERED,
        where + " was modified or damaged: it does not authenticate under this store's root key");
  }

  private static byte[] headerJson(Header h, boolean deflated) {
    ObjectNode n = JSON.createObjectNode();
    n.put("storeId", h.storeId());
    n.put("revision", h.revision());
    n.put("rootKey", h.kdf() == null ? "file" : "passphrase");
    if (h.kdf() != null) {
      ObjectNode k = n.putObject("kdf");
      k.put("name", "argon2id");
      k.put("salt", Base64.getEncoder().encodeToString(h.kdf().salt()));
      k.put("memoryKiB", h.kdf().memoryKiB());
      k.put("iterations", h.kdf().iterations());
      k.put("parallelism", h.kdf().parallelism());
    }
    n.put("keyCheck", h.keyCheck());
    if (deflated) {
      n.put("compression", DEFLATE);
    }
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Header parseHeader(JsonNode n) {
    String rootKey = n.get("rootKey").asText();
    KdfParams kdf = null;
    if (rootKey.equals("passphrase")) {
      JsonNode k = n.get("kdf");
      if (!k.get("name").asText().equals("argon2id")) {
        throw new IllegalArgumentException("Unknown KDF");
      }
      kdf =
          new KdfParams(
              Base64.getDecoder().decode(k.get("salt").asText()),
              k.get("memoryKiB").asInt(),
              k.get("iterations").asInt(),
              k.get("parallelism").asInt());
    } else if (!rootKey.equals("file")) {
      throw new IllegalArgumentException("Unknown root key source");
    }
    return new Header(
        n.get("storeId").asText(), n.get("revision").asLong(), kdf, n.get("keyCheck").asText());
  }
}
