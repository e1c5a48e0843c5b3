package io.qkms.engine.crypto;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fast path of XAES-256-GCM: nonces the primitive chooses (a per-thread prefix reused for a
 * bounded number of messages, a fresh random IV each time) and opening that reuses derived keys.
 * The output must be plain XAES-256-GCM that the explicit-nonce path, which derives afresh every
 * time, agrees with.
 */
class Xaes256GcmRandomNonceTest {
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
    Xaes256Gcm.sealWithRandomNonce(
        key, random, out, 0, AAD, 0, AAD.length, null, PLAINTEXT, 0, PLAINTEXT.length, 24);
    return out;
  }

  private static byte[] openExplicit(Xaes256Gcm.Key key, byte[] sealed) throws Exception {
    byte[] nonce = Arrays.copyOf(sealed, 24);
    return Xaes256Gcm.open(key, nonce, AAD, Arrays.copyOfRange(sealed, 24, sealed.length));
  }

  @Test
  void sealWithRandomNonce_isPlainXaes_thatTheExplicitPathOpens() throws Exception {
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
  void sealWithRandomNonce_consecutiveMessages_sharePrefixButNotIv() throws Exception {
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
  void sealWithRandomNonce_afterTheLimit_picksANewPrefix() throws Exception {
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
  void sealWithRandomNonce_differentThreads_useDifferentPrefixes() throws Exception {
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
    assertThrows(javax.crypto.AEADBadTagException.class, () -> openExplicit(b, s));
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
