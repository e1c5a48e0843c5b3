package io.qkms.engine.cache;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KeyCacheConfigTest {
  @Test
  void defaults_are10000KeysAndMaterialsFor60Seconds() {
    KeyCacheConfig c = KeyCacheConfig.defaults();
    assertThat(c.maxKeys(), equalTo(10_000));
    assertThat(c.maxMaterials(), equalTo(10_000));
    assertThat(c.ttl(), equalTo(Duration.ofSeconds(60)));
    assertThat(c, equalTo(KeyCacheConfig.builder().build()));
  }

  static Stream<Arguments> sizeBounds() {
    return Stream.of(
        Arguments.of("maxKeys", (IntFunction<?>) n -> KeyCacheConfig.builder().maxKeys(n)),
        Arguments.of(
            "maxMaterials", (IntFunction<?>) n -> KeyCacheConfig.builder().maxMaterials(n)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sizeBounds")
  void sizeBound_belowOne_isRejected(String bound, IntFunction<?> setBound) {
    for (int n : new int[] {0, -1}) {
      assertRefused(() -> setBound.apply(n), bound + " must be at least 1, was " + n);
    }
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
  void toString_namesEveryBound() {
    KeyCacheConfig c =
        KeyCacheConfig.builder().maxKeys(5).maxMaterials(7).ttl(Duration.ofSeconds(30)).build();

    assertThat(c.toString(), equalTo("KeyCacheConfig[maxKeys=5, maxMaterials=7, ttl=PT30S]"));
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
