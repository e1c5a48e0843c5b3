package io.qkms.engine.internal.crypto;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/**
 * The fast path of XAES-256-GCM: nonces the primitive chooses (a per-thread random prefix reused
 * for a bounded epoch of messages, IVs numbered from a random first one) and opening that reuses
 * derived keys. The output must be plain XAES-256-GCM that the explicit-nonce path, which derives
 * afresh every time, agrees with.
 */
class Xaes256GcmFreshNonceTest {
  private static final byte[] PLAINTEXT = "field value".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = "header".getBytes(StandardCharsets.UTF_8);

  private static Xaes256Gcm.Key key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Xaes256Gcm.newKey(k);
  }

  /** nonce (24) || ciphertext || tag, sealed on the calling thread. */
  private static byte[] sealed(Xaes256Gcm.Key key, SecureRandom random) throws Exception {
    byte[] out = new byte[24 + PLAINTEXT.length + 16];
    Xaes256Gcm.sealWithFreshNonce(
        key, random, out, 0, AAD, 0, AAD.length, null, PLAINTEXT, 0, PLAINTEXT.length, 24);
    return out;
  }

  private static byte[] openExplicit(Xaes256Gcm.Key key, byte[] sealed) throws Exception {
    byte[] nonce = Arrays.copyOf(sealed, 24);
    return Xaes256Gcm.open(key, nonce, AAD, Arrays.copyOfRange(sealed, 24, sealed.length));
  }

  @Test
  void sealWithFreshNonce_isPlainXaes_thatTheExplicitPathOpens() throws Exception {
    Xaes256Gcm.Key key = key();
    byte[] s = sealed(key, new SecureRandom());
    // Open on another thread, which has no derived key cached for this key.
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<byte[]> pt = other.submit(() -> openExplicit(key, s));
      assertThat(pt.get(10, TimeUnit.SECONDS), equalTo(PLAINTEXT));
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void sealWithFreshNonce_consecutiveMessages_sharePrefixButNotIv() throws Exception {
    Xaes256Gcm.Key key = key();
    SecureRandom random = new SecureRandom();
    byte[] a = sealed(key, random);
    byte[] b = sealed(key, random);
    assertThat(Arrays.copyOfRange(a, 0, 12), equalTo(Arrays.copyOfRange(b, 0, 12)));
    assertThat(Arrays.copyOfRange(a, 12, 24), not(equalTo(Arrays.copyOfRange(b, 12, 24))));
    assertThat(openExplicit(key, a), equalTo(PLAINTEXT));
    assertThat(openExplicit(key, b), equalTo(PLAINTEXT));
  }

  @Test
  void sealWithFreshNonce_afterTheLimit_picksANewPrefix() throws Exception {
    Xaes256Gcm.Key key = key();
    SecureRandom random = new SecureRandom();
    Set<String> prefixes = new HashSet<>();
    byte[] last = null;
    for (int i = 0; i <= Xaes256Gcm.MESSAGES_PER_DERIVED_KEY; i++) {
      last = sealed(key, random);
      prefixes.add(Arrays.toString(Arrays.copyOf(last, 12)));
    }
    // Exactly the limit under the first prefix, then one message under a second.
    assertThat(prefixes.size(), equalTo(2));
    assertThat(openExplicit(key, last), equalTo(PLAINTEXT));
  }

  @Test
  void sealWithFreshNonce_twoEpochs_everyNonceDistinct_ivsNumberedWithinAnEpoch() throws Exception {
    Xaes256Gcm.Key key = key();
    SecureRandom random = new SecureRandom();
    int epoch = Xaes256Gcm.MESSAGES_PER_DERIVED_KEY;
    Set<String> nonces = new HashSet<>();
    byte[] previous = null;
    byte[] last = null;
    for (int i = 0; i < epoch + 1000; i++) {
      last = sealed(key, random);
      assertThat(
          "nonce used twice", nonces.add(Arrays.toString(Arrays.copyOf(last, 24))), is(true));
      if (previous != null && i != epoch) {
        // The same prefix and IV high bytes; the IV's low 64 bits one more than before.
        assertThat(Arrays.copyOf(last, 16), equalTo(Arrays.copyOf(previous, 16)));
        assertThat(ivLow(last), equalTo(ivLow(previous) + 1));
      }
      previous = last;
    }
    assertThat(openExplicit(key, last), equalTo(PLAINTEXT));
  }

  @Test
  void sealWithFreshNonce_ivLowBitsWrap_withoutTouchingTheOtherNonceBytes() throws Exception {
    Xaes256Gcm.Key key = key();
    SecureRandom allOnes =
        new SecureRandom() {
          @Override
          public void nextBytes(byte[] bytes) {
            Arrays.fill(bytes, (byte) 0xff);
          }
        };
    byte[] a = sealed(key, allOnes);
    byte[] b = sealed(key, allOnes);

    assertThat(ivLow(a), equalTo(-1L));
    assertThat(ivLow(b), equalTo(0L));
    assertThat(Arrays.copyOf(b, 16), equalTo(Arrays.copyOf(a, 16)));
    assertThat(openExplicit(key, a), equalTo(PLAINTEXT));
    assertThat(openExplicit(key, b), equalTo(PLAINTEXT));
  }

  @Test
  void sealWithFreshNonce_newEpoch_startsFromANewRandomIv() throws Exception {
    Xaes256Gcm.Key key = key();
    SecureRandom random = new SecureRandom();
    byte[] first = sealed(key, random);
    byte[] next = null;
    for (int i = 0; i < Xaes256Gcm.MESSAGES_PER_DERIVED_KEY; i++) {
      next = sealed(key, random);
    }
    // The first message of the second epoch: new prefix, and not the first epoch's count going on.
    assertThat(Arrays.copyOf(next, 12), not(equalTo(Arrays.copyOf(first, 12))));
    assertThat(ivLow(next), not(equalTo(ivLow(first) + Xaes256Gcm.MESSAGES_PER_DERIVED_KEY)));
  }

  /** The low 64 bits of the GCM IV (nonce bytes 16..24), big-endian. */
  private static long ivLow(byte[] sealed) {
    return ByteBuffer.wrap(sealed, 16, 8).getLong();
  }

  @Test
  void sealWithFreshNonce_differentThreads_useDifferentPrefixes() throws Exception {
    Xaes256Gcm.Key key = key();
    byte[] mine = sealed(key, new SecureRandom());
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      byte[] theirs = other.submit(() -> sealed(key, new SecureRandom())).get(10, TimeUnit.SECONDS);
      assertThat(Arrays.copyOf(mine, 12), not(equalTo(Arrays.copyOf(theirs, 12))));
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void open_alternatingPrefixes_rederivesAndStaysCorrect() throws Exception {
    Xaes256Gcm.Key key = key();
    byte[] fromHere = sealed(key, new SecureRandom());
    ExecutorService other = Executors.newSingleThreadExecutor();
    byte[] fromThere;
    try {
      fromThere = other.submit(() -> sealed(key, new SecureRandom())).get(10, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }
    for (int i = 0; i < 3; i++) {
      assertThat(openExplicit(key, fromHere), equalTo(PLAINTEXT));
      assertThat(openExplicit(key, fromThere), equalTo(PLAINTEXT));
    }
  }

  @Test
  void open_samePrefixOtherKey_failsAuthentication() throws Exception {
    Xaes256Gcm.Key a = key();
    Xaes256Gcm.Key b = key();
    byte[] s = sealed(a, new SecureRandom());
    assertThrows(AEADBadTagException.class, () -> openExplicit(b, s));
  }

  @Test
  void destroy_refusesFurtherUse_onEveryPath() throws Exception {
    Xaes256Gcm.Key key = key();
    byte[] s = sealed(key, new SecureRandom());
    key.destroy();
    assertThrows(IllegalStateException.class, () -> sealed(key, new SecureRandom()));
    assertThrows(IllegalStateException.class, () -> openExplicit(key, s));
  }
}
