package io.qkms.pipeline.worker;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each with-method changes its own field and keeps every other; equal specs share an engine. */
class EngineSpecTest {
  private static final ClockSource UTC = Clock::systemUTC;

  private static EngineSpec full() {
    return EngineSpec.of("/ks")
        .withRegion("eu-west-1")
        .withPrincipal("arn:verenc:111122223333:user/alice")
        .withCacheTtl(Duration.ofSeconds(7))
        .withCacheCapacity(11)
        .withStoreTimeout(Duration.ofSeconds(3))
        .withClock(UTC)
        .withStoreResource("ks.jar");
  }

  @Test
  void of_hasTheDefaults() {
    EngineSpec s = EngineSpec.of("/ks");

    assertThat(s.keystore(), equalTo("/ks"));
    assertThat(s.region(), nullValue());
    assertThat(s.principal(), nullValue());
    assertThat(s.cacheTtl(), equalTo(EngineSpec.DEFAULT_CACHE_TTL));
    assertThat(s.cacheCapacity(), equalTo(EngineSpec.DEFAULT_CACHE_CAPACITY));
    assertThat(s.storeTimeout(), equalTo(EngineSpec.DEFAULT_STORE_TIMEOUT));
    assertThat(s.clock(), nullValue());
    assertThat(s.storeResource(), nullValue());
  }

  @Test
  void withMethods_setTheirOwnFieldAndKeepTheOthers() {
    EngineSpec s = full();

    assertThat(s.keystore(), equalTo("/ks"));
    assertThat(s.region(), equalTo("eu-west-1"));
    assertThat(s.principal(), equalTo("arn:verenc:111122223333:user/alice"));
    assertThat(s.cacheTtl(), equalTo(Duration.ofSeconds(7)));
    assertThat(s.cacheCapacity(), equalTo(11));
    assertThat(s.storeTimeout(), equalTo(Duration.ofSeconds(3)));
    assertThat(s.clock(), equalTo(UTC));
    assertThat(s.storeResource(), equalTo("ks.jar"));
  }

  @Test
  void equalFields_areEqualSpecs_andAnyChangedFieldIsNot() {
    assertThat(full(), equalTo(full()));
    assertThat(full().hashCode(), equalTo(full().hashCode()));
    assertThat(full().withRegion("us-east-1"), not(equalTo(full())));
    assertThat(full().withPrincipal(null), not(equalTo(full())));
    assertThat(full().withCacheTtl(Duration.ofSeconds(8)), not(equalTo(full())));
    assertThat(full().withCacheCapacity(12), not(equalTo(full())));
    assertThat(full().withStoreTimeout(Duration.ofSeconds(4)), not(equalTo(full())));
    assertThat(full().withClock(null), not(equalTo(full())));
    assertThat(full().withStoreResource(null), not(equalTo(full())));
  }
}
