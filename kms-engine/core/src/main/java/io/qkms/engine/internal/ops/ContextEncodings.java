package io.qkms.engine.internal.ops;

import io.qkms.engine.internal.crypto.EncryptionContextCodec;
import java.util.Map;

/**
 * Encryption contexts encoded for the ciphertexts' associated data, with each thread's last two
 * encodings remembered by content (a ReEncrypt has a source and a destination context). A job sends
 * the same context with record after record, each time in a new map, and comparing two small maps
 * costs less than encoding one again (UTF-8, the well-formedness check, sorting). A remembered
 * context is an immutable copy, so no caller can change it after its encoding was kept; the
 * encodings handed out are shared and must not be written to.
 */
final class ContextEncodings {
  private static final byte[] EMPTY = {0, 0};

  /** One remembered context and its encoding. */
  private static final class Entry {
    Map<String, String> context;
    byte[] encoded;
  }

  /** One thread's two entries and which was used last. */
  private static final class Memo {
    final Entry[] entries = {new Entry(), new Entry()};
    int last;
  }

  private static final ThreadLocal<Memo> MEMO = ThreadLocal.withInitial(Memo::new);

  private ContextEncodings() {}

  /**
   * {@link EncryptionContextCodec#encode} of {@code context}, shared: read only.
   *
   * @throws IllegalArgumentException as {@link EncryptionContextCodec#encode} does
   */
  static byte[] encode(Map<String, String> context) {
    if (context == null || context.isEmpty()) {
      return EMPTY;
    }
    Memo memo = MEMO.get();
    Entry[] entries = memo.entries;
    for (int i = 0; i < entries.length; i++) {
      Map<String, String> known = entries[i].context;
      if (known != null && known.equals(context)) {
        memo.last = i;
        return entries[i].encoded;
      }
    }
    byte[] encoded = EncryptionContextCodec.encode(context);
    int i = 1 - memo.last;
    entries[i].context = Map.copyOf(context);
    entries[i].encoded = encoded;
    memo.last = i;
    return encoded;
  }
}
