package io.qkms.engine.internal.cache;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A material starts with one reference: the cache's. */
class CachedMaterialTest {
  private static byte[] keyBytes() {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) 0x17);
    return k;
  }

  @Test
  void symmetric_isNotDestroyedWhileReferenced() {
    CachedMaterial m = CachedMaterial.symmetric(keyBytes());
    assertThat(m.isDestroyed(), equalTo(false));
    assertThat(m.symmetricKey().isDestroyed(), equalTo(false));
  }

  @Test
  void release_lastReference_destroysTheSymmetricKey() {
    CachedMaterial m = CachedMaterial.symmetric(keyBytes());
    m.release();
    assertThat(m.isDestroyed(), equalTo(true));
    assertThat(m.symmetricKey().isDestroyed(), equalTo(true));
  }

  @Test
  void release_notTheLastReference_keepsTheMaterial() {
    CachedMaterial m = CachedMaterial.symmetric(keyBytes());
    assertThat(m.retain(), equalTo(true));
    m.release(); // the cache lets go; the user still holds it
    assertThat(m.isDestroyed(), equalTo(false));
    assertThat(m.symmetricKey().isDestroyed(), equalTo(false));
    m.release();
    assertThat(m.isDestroyed(), equalTo(true));
  }

  @Test
  void release_manyUsers_wipesOnlyAtTheLast() {
    CachedMaterial m = CachedMaterial.symmetric(keyBytes());
    m.retain();
    m.retain();
    m.release();
    m.release();
    assertThat(m.isDestroyed(), equalTo(false));
    m.release();
    assertThat(m.isDestroyed(), equalTo(true));
  }

  @Test
  void retain_afterWipe_fails() {
    CachedMaterial m = CachedMaterial.symmetric(keyBytes());
    m.release();
    assertThat(m.retain(), equalTo(false));
    assertThat(m.isDestroyed(), equalTo(true));
  }

  @Test
  void release_moreThanRetained_throws() {
    CachedMaterial m = CachedMaterial.symmetric(keyBytes());
    m.release();
    IllegalStateException e = assertThrows(IllegalStateException.class, m::release);
    assertThat(e.getMessage(), equalTo("CachedMaterial released more often than retained"));
  }

  /** An over-release must not make a wiped material look alive (or retainable) again. */
  @Test
  void release_moreThanRetained_leavesTheMaterialWiped() {
    CachedMaterial m = CachedMaterial.symmetric(keyBytes());
    m.release();
    assertThrows(IllegalStateException.class, m::release);
    assertThat(m.isDestroyed(), equalTo(true));
    assertThat(m.retain(), equalTo(false));
  }

  @Test
  void symmetric_copiesTheKeyBytes() {
    byte[] k = keyBytes();
    CachedMaterial m = CachedMaterial.symmetric(k);
    m.release();
    assertThat(k, equalTo(keyBytes()));
  }

  @Test
  void opaque_release_zeroesTheSecret() {
    byte[] secret = {1, 2, 3, 4};
    CachedMaterial m = CachedMaterial.opaque(secret);
    assertThat(m.secret(), equalTo(new byte[] {1, 2, 3, 4}));
    m.release();
    assertThat(secret, equalTo(new byte[4]));
    assertThat(m.isDestroyed(), equalTo(true));
  }

  @Test
  void opaque_hasNoSymmetricKey() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> CachedMaterial.opaque(new byte[4]).symmetricKey());
    assertThat(e.getMessage(), equalTo("Not a symmetric material"));
  }

  @Test
  void symmetric_hasNoRawSecret() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> CachedMaterial.symmetric(keyBytes()).secret());
    assertThat(e.getMessage(), equalTo("A symmetric material has no raw secret here"));
  }
}
