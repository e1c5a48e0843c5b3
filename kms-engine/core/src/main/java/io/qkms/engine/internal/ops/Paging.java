package io.qkms.engine.internal.ops;

import io.qkms.engine.api.errors.InvalidMarkerException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Limit/Marker pagination of list operations. A marker encodes the next offset. */
final class Paging {
  private static final String PREFIX = "qkms-page:";

  /** One page: its items, and the marker of the next page (null on the last). */
  record Page<T>(List<T> items, String nextMarker) {
    boolean truncated() {
      return nextMarker != null;
    }
  }

  private Paging() {}

  static <T> Page<T> page(List<T> all, Integer limit, int defaultLimit, String marker) {
    int from = marker == null ? 0 : offset(marker);
    if (from > all.size()) {
      throw new InvalidMarkerException("The marker is not valid for this list.");
    }
    int n = limit == null ? defaultLimit : limit;
    int to = Math.min(all.size(), from + n);
    String next = to < all.size() ? encode(to) : null;
    return new Page<>(List.copyOf(all.subList(from, to)), next);
  }

  private static String encode(int offset) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((PREFIX + offset).getBytes(StandardCharsets.US_ASCII));
  }

  private static int offset(String marker) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.US_ASCII);
      if (s.startsWith(PREFIX)) {
        int offset = Integer.parseInt(s.substring(PREFIX.length()));
        if (offset >= 0) {
          return offset;
        }
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error below
    }
    throw new InvalidMarkerException("The marker is not valid for this list.");
  }
}
