package io.qkms.pipeline.worker;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.pipeline.samples.Samples;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerEnginesTest {
  @TempDir static Path dir;
  static Samples samples;

  @BeforeAll
  static void samples() throws IOException {
    samples = Samples.at(dir.resolve("s"));
    samples.init();
  }

  EngineSpec spec() {
    return EngineSpec.of(samples.keystore().toString());
  }

  @Test
  void acquire_sameSpecTwice_sharesOneEngine_closedWithTheLastRelease() {
    int before = WorkerEngines.openEngines();
    WorkerEngine a = WorkerEngines.acquire(spec());
    WorkerEngine b = WorkerEngines.acquire(spec());
    assertThat(WorkerEngines.openEngines(), is(before + 1));
    assertThat(WorkerEngines.engines().get(spec()).references, is(2));
    a.close();
    a.close(); // a second close of one lease changes nothing
    assertThat(WorkerEngines.engines().get(spec()).references, is(1));
    b.close();
    assertThat(WorkerEngines.openEngines(), is(before));
  }

  @Test
  void acquire_differentCacheTtl_isAnotherEngine() {
    int before = WorkerEngines.openEngines();
    try (WorkerEngine a = WorkerEngines.acquire(spec());
        WorkerEngine b = WorkerEngines.acquire(spec().withCacheTtl(Duration.ofSeconds(5)))) {
      assertThat(WorkerEngines.openEngines(), is(before + 2));
      assertThat(a.spec().cacheTtl(), equalTo(Duration.ofSeconds(60)));
      assertThat(b.spec().cacheTtl(), equalTo(Duration.ofSeconds(5)));
    }
    assertThat(WorkerEngines.openEngines(), is(before));
  }

  @Test
  void acquire_regionTheStoreLacks_failsAndKeepsNothingOpen() {
    int before = WorkerEngines.openEngines();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WorkerEngines.acquire(spec().withRegion("ap-south-1")));
    assertThat(
        e.getMessage(),
        equalTo(
            "The key store in "
                + samples.keystore()
                + " has no region ap-south-1 (it has [us-east-1, eu-west-1])"));
    assertThat(WorkerEngines.openEngines(), is(before));
  }

  @Test
  void takeCacheDelta_reportsEachLookupOnce_acrossLeases() {
    try (WorkerEngine a = WorkerEngines.acquire(spec());
        WorkerEngine b = WorkerEngines.acquire(spec())) {
      a.takeCacheDelta();
      a.currentMaterial(Samples.NEW_KEY);
      a.currentMaterial(Samples.NEW_KEY);
      KeyCacheStats first = b.takeCacheDelta();
      KeyCacheStats second = a.takeCacheDelta();
      assertThat(first.metadataMisses() + first.metadataHits(), is(4L)); // alias + key, twice
      assertThat(first.metadataHits(), is(2L));
      assertThat(second.metadataHits() + second.metadataMisses(), is(0L));
    }
  }

  @Test
  void engineSpec_toString_namesNoSecret() {
    assertThat(
        spec().withPrincipal("arn:verenc:111122223333:user/ops").toString(),
        equalTo(
            "EngineSpec[keystore="
                + samples.keystore()
                + ", region=<home>, principal=arn:verenc:111122223333:user/ops, cacheTtl=PT1M,"
                + " cacheCapacity=10000]"));
  }

  @Test
  void leasesOfOneSpec_useTheSameEngineObject() {
    try (WorkerEngine a = WorkerEngines.acquire(spec());
        WorkerEngine b = WorkerEngines.acquire(spec())) {
      assertThat(
          WorkerEngines.engines().get(spec()).engine,
          sameInstance(WorkerEngines.engines().get(b.spec()).engine));
      assertThat(a.spec(), equalTo(b.spec()));
    }
  }
}
