package io.qkms.http;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request IDs shaped like AWS's ({@code x-amzn-RequestId}, a version-4 UUID). They need to be
 * unique, not unpredictable, so they come from the thread's fast random generator rather than
 * SecureRandom, which {@link UUID#randomUUID()} uses and which is slower and contended.
 */
final class RequestIds {
  private RequestIds() {}

  static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(hi, lo).toString();
  }
}
