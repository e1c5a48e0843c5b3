package io.qkms.engine.internal.store;

import static io.qkms.engine.testing.SampleKeyRecords.keyId;
import static io.qkms.engine.testing.SampleKeyRecords.materialId;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RootKeyProtectorTest {
  private static final String NOT_AUTHENTIC =
      "A wrapped key material does not authenticate under the root key";
  private static final KeyId KEY = keyId(1);
  private static final MaterialId MATERIAL = materialId(1);
  private static final byte[] SECRET = filled(32, 0x42);

  private final byte[] rootKey = RootKeyProtector.newRootKey();
  private final RootKeyProtector protector = new RootKeyProtector(rootKey);

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  private String failure(KeyId key, MaterialId material, byte[] wrapped) {
    return assertThrows(StoreFailureException.class, () -> protector.unwrap(key, material, wrapped))
        .getMessage();
  }

  @Test
  void unwrap_ofWrap_returnsTheSecret() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    assertThat(protector.unwrap(KEY, MATERIAL, wrapped), equalTo(SECRET));
  }

  @Test
  void wrap_isNonceCiphertextAndTag() {
    assertThat(protector.wrap(KEY, MATERIAL, SECRET).length, equalTo(24 + 32 + 16));
  }

  @Test
  void wrap_neverContainsTheSecretAndIsRandomised() {
    byte[] a = protector.wrap(KEY, MATERIAL, SECRET);
    byte[] b = protector.wrap(KEY, MATERIAL, SECRET);
    assertThat(a, not(equalTo(b)));
    assertThat(Arrays.equals(Arrays.copyOfRange(a, 24, 56), SECRET), equalTo(false));
  }

  @Test
  void wrap_leavesTheCallersSecretAlone() {
    byte[] secret = SECRET.clone();
    protector.wrap(KEY, MATERIAL, secret);
    assertThat(secret, equalTo(SECRET));
  }

  @Test
  void unwrap_underAnotherKeyId_fails() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    assertThat(failure(keyId(2), MATERIAL, wrapped), equalTo(NOT_AUTHENTIC));
  }

  @Test
  void unwrap_underAnotherMaterialId_fails() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    assertThat(failure(KEY, materialId(2), wrapped), equalTo(NOT_AUTHENTIC));
  }

  @Test
  void unwrap_underTheMrkKeyWithTheSameBytes_fails() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    KeyId mrk = KeyId.fromBytes(KEY.toBytes(), true);
    assertThat(failure(mrk, MATERIAL, wrapped), equalTo(NOT_AUTHENTIC));
  }

  @Test
  void unwrap_anyByteFlipped_fails() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    List<Integer> accepted = new ArrayList<>();
    for (int i = 0; i < wrapped.length; i++) {
      byte[] tampered = wrapped.clone();
      tampered[i] ^= 0x01;
      try {
        protector.unwrap(KEY, MATERIAL, tampered);
        accepted.add(i);
      } catch (StoreFailureException expected) {
        assertThat(expected.getMessage(), equalTo(NOT_AUTHENTIC));
      }
    }
    assertThat(accepted, equalTo(List.of()));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 23, 24, 39})
  void unwrap_shorterThanNonceAndTag_isTruncated(int length) {
    byte[] wrapped = Arrays.copyOf(protector.wrap(KEY, MATERIAL, SECRET), length);
    assertThat(failure(KEY, MATERIAL, wrapped), equalTo("A wrapped key material is truncated"));
  }

  @ParameterizedTest
  @ValueSource(ints = {40, 55, 71})
  void unwrap_bytesCutOff_fails(int length) {
    byte[] wrapped = Arrays.copyOf(protector.wrap(KEY, MATERIAL, SECRET), length);
    assertThat(failure(KEY, MATERIAL, wrapped), equalTo(NOT_AUTHENTIC));
  }

  @Test
  void unwrap_byteAppended_fails() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    assertThat(
        failure(KEY, MATERIAL, Arrays.copyOf(wrapped, wrapped.length + 1)), equalTo(NOT_AUTHENTIC));
  }

  @Test
  void unwrap_underAnotherRootKey_fails() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    RootKeyProtector other = new RootKeyProtector(RootKeyProtector.newRootKey());
    StoreFailureException e =
        assertThrows(StoreFailureException.class, () -> other.unwrap(KEY, MATERIAL, wrapped));
    assertThat(e.getMessage(), equalTo(NOT_AUTHENTIC));
  }

  @Test
  void unwrap_whenSealed_isUnavailable() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    protector.seal();
    assertThat(protector.isSealed(), equalTo(true));
    MaterialUnavailableException e =
        assertThrows(
            MaterialUnavailableException.class, () -> protector.unwrap(KEY, MATERIAL, wrapped));
    assertThat(e.getMessage(), equalTo("The key store is sealed"));
  }

  @Test
  void wrap_whenSealed_isUnavailable() {
    protector.seal();
    MaterialUnavailableException e =
        assertThrows(
            MaterialUnavailableException.class, () -> protector.wrap(KEY, MATERIAL, SECRET));
    assertThat(e.getMessage(), equalTo("The key store is sealed"));
  }

  @Test
  void unseal_withTheRootKey_restoresUnwrapping() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    protector.seal();
    protector.unseal(rootKey);
    assertThat(protector.isSealed(), equalTo(false));
    assertThat(protector.unwrap(KEY, MATERIAL, wrapped), equalTo(SECRET));
  }

  @Test
  void unseal_withAnotherKey_cannotUnwrap() {
    byte[] wrapped = protector.wrap(KEY, MATERIAL, SECRET);
    protector.unseal(RootKeyProtector.newRootKey());
    assertThat(failure(KEY, MATERIAL, wrapped), equalTo(NOT_AUTHENTIC));
  }

  @Test
  void constructor_copiesTheRootKey() {
    byte[] key = RootKeyProtector.newRootKey();
    RootKeyProtector p = new RootKeyProtector(key);
    byte[] wrapped = p.wrap(KEY, MATERIAL, SECRET);
    Arrays.fill(key, (byte) 0); // the caller zeroes its copy, as documented
    assertThat(p.unwrap(KEY, MATERIAL, wrapped), equalTo(SECRET));
  }

  @Test
  void close_seals() {
    protector.close();
    assertThat(protector.isSealed(), equalTo(true));
  }
}
