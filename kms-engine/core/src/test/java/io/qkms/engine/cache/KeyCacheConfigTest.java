package io.qkms.engine.cache;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyCacheConfigTest {
  @Test
  void defaults_are10000KeysAndMaterialsFor60Seconds() {
    KeyCacheConfig c = KeyCacheConfig.defaults();
    assertThat(c.maxKeys(), equalTo(10_000));
    assertThat(c.maxMaterials(), equalTo(10_000));
    assertThat(c.ttl(), equalTo(Duration.ofSeconds(60)));
  }

  @Test
  void maxKeys_belowOne_isRejected() {
    assertRefused(() -> KeyCacheConfig.builder().maxKeys(0), "maxKeys must be at least 1, was 0");
  }

  @Test
  void maxMaterials_belowOne_isRejected() {
    assertRefused(
        () -> KeyCacheConfig.builder().maxMaterials(-1), "maxMaterials must be at least 1, was -1");
  }

  @Test
  void ttl_negative_isRejected() {
    assertRefused(
        () -> KeyCacheConfig.builder().ttl(Duration.ofSeconds(-1)),
        "ttl must not be negative, was PT-1S");
  }

  @Test
  void ttl_null_isRejected() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> KeyCacheConfig.builder().ttl(null));
    assertThat(e.getMessage(), equalTo("ttl"));
  }

  @Test
  void equals_comparesAllFields() {
    KeyCacheConfig a = KeyCacheConfig.builder().maxKeys(5).ttl(Duration.ofSeconds(1)).build();
    KeyCacheConfig b = KeyCacheConfig.builder().maxKeys(5).ttl(Duration.ofSeconds(1)).build();
    assertThat(a, equalTo(b));
    assertThat(a.hashCode(), equalTo(b.hashCode()));
    assertThat(a.equals(KeyCacheConfig.builder().maxKeys(6).build()), equalTo(false));
  }
}
