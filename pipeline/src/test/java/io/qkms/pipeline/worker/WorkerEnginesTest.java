package io.qkms.pipeline.worker;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.engine.store.file.KeyStoreOpenException;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerEnginesTest {
  @TempDir static Path dir;
  static Samples samples;

  @BeforeAll
  static void samples() throws IOException {
    samples = Samples.made(dir.resolve("s"));
  }

  EngineSpec spec() {
    return EngineSpec.of(samples.keystore().toString());
  }

  @Test
  void acquire_sameSpecTwice_sharesOneEngine_closedWithTheLastRelease() {
    int before = WorkerEngines.openEnginesUnder(dir);
    WorkerEngine a = WorkerEngines.acquire(spec());
    WorkerEngine b = WorkerEngines.acquire(spec());
    assertThat(WorkerEngines.openEnginesUnder(dir), is(before + 1));
    assertThat(WorkerEngines.engines().get(spec()).references, is(2));
    a.close();
    a.close(); // a second close of one lease changes nothing
    assertThat(WorkerEngines.engines().get(spec()).references, is(1));
    b.close();
    assertThat(WorkerEngines.openEnginesUnder(dir), is(before));
  }

  @Test
  void acquire_differentCacheTtl_isAnotherEngine() {
    int before = WorkerEngines.openEnginesUnder(dir);
    try (WorkerEngine a = WorkerEngines.acquire(spec());
        WorkerEngine b = WorkerEngines.acquire(spec().withCacheTtl(Duration.ofSeconds(5)))) {
      assertThat(WorkerEngines.openEnginesUnder(dir), is(before + 2));
      assertThat(a.spec().cacheTtl(), equalTo(Duration.ofSeconds(60)));
      assertThat(b.spec().cacheTtl(), equalTo(Duration.ofSeconds(5)));
    }
    assertThat(WorkerEngines.openEnginesUnder(dir), is(before));
  }

  @Test
  void acquire_regionTheStoreLacks_failsAndKeepsNothingOpen() {
    int before = WorkerEngines.openEnginesUnder(dir);
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
    assertThat(WorkerEngines.openEnginesUnder(dir), is(before));
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

  // ---- a key store shipped with the job ------------------------------------------------------

  /** A jar holding the samples' store as resource {@code name}, on a class loader of its own. */
  static URLClassLoader shipped(String name) throws IOException {
    Path jar = dir.resolve(name + ".jar");
    ShippedKeyStore.pack(samples.keystore(), name, jar);
    return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
  }

  /**
   * A directory with the root key only, as a worker that finds it at {@code <keystore>/root.key}.
   */
  static Path rootKeyOnly(String name) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.copy(samples.keystore().resolve("root.key"), d.resolve("root.key"));
    return d;
  }

  @Test
  void pack_holdsTheStoreFileAlone_neverTheRootKey() throws IOException {
    Path jar = dir.resolve("packed.jar");

    ShippedKeyStore.pack(samples.keystore(), "run-1", jar);

    try (JarFile j = new JarFile(jar.toFile())) {
      List<String> names = j.stream().map(JarEntry::getName).toList();
      assertThat(names, contains("META-INF/MANIFEST.MF", "qkms-keystore/run-1/store.qks"));
      assertThat(
          j.getInputStream(j.getEntry("qkms-keystore/run-1/store.qks")).readAllBytes(),
          equalTo(Files.readAllBytes(samples.keystore().resolve("store.qks"))));
    }
  }

  @Test
  void acquire_shippedStore_opensItFromTheClassPath_withTheRootKeyOfTheWorker() throws IOException {
    Path keystore = rootKeyOnly("worker-view");
    EngineSpec shipped =
        EngineSpec.of(keystore.toString()).withStoreResource(ShippedKeyStore.resourceName("run-2"));
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader job = shipped("run-2")) {
      Thread.currentThread().setContextClassLoader(job);
      Path copy;
      try (WorkerEngine e = WorkerEngines.acquire(shipped)) {
        assertThat(e.currentMaterial(Samples.NEW_KEY).keyArn(), startsWith("arn:verenc:"));
        copy = WorkerEngines.engines().get(shipped).extracted;
        assertThat(Files.exists(copy.resolve("store.qks")), is(true));
        assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)),
            equalTo("rwx------"));
      }
      assertThat(Files.exists(copy), is(false)); // the private copy goes with the engine
    } finally {
      Thread.currentThread().setContextClassLoader(before);
    }
  }

  @Test
  void acquire_shippedStoreNotOnTheClassPath_failsNamingTheOption() throws IOException {
    EngineSpec missing =
        EngineSpec.of(rootKeyOnly("no-resource").toString())
            .withStoreResource(ShippedKeyStore.resourceName("not-shipped"));
    int open = WorkerEngines.openEnginesUnder(dir);

    KeyStoreOpenException e =
        assertThrows(KeyStoreOpenException.class, () -> WorkerEngines.acquire(missing));

    assertThat(e.problem(), is(KeyStoreOpenException.Problem.NOT_FOUND));
    assertThat(
        e.getMessage(),
        equalTo(
            "The shipped key store qkms-keystore/not-shipped/store.qks is not on this worker's"
                + " class path (it travels in a jar staged with the job: submit with"
                + " --shipKeystore to a Flink cluster, --flinkMaster=host:port)"));
    assertThat(WorkerEngines.openEnginesUnder(dir), is(open));
  }

  @Test
  void acquire_shippedStoreWithoutTheRootKey_failsAndLeavesNoCopy() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("no-root-key"));
    EngineSpec shipped =
        EngineSpec.of(empty.toString()).withStoreResource(ShippedKeyStore.resourceName("run-3"));
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> copiesBefore = copies(tmp);
    try (URLClassLoader job = shipped("run-3")) {
      Thread.currentThread().setContextClassLoader(job);

      KeyStoreOpenException e =
          assertThrows(KeyStoreOpenException.class, () -> WorkerEngines.acquire(shipped));

      assertThat(e.problem(), is(KeyStoreOpenException.Problem.ROOT_KEY_UNAVAILABLE));
      assertThat(copies(tmp), equalTo(copiesBefore));
    } finally {
      Thread.currentThread().setContextClassLoader(before);
    }
  }

  static List<Path> copies(Path tmp) throws IOException {
    try (var s = Files.list(tmp)) {
      return s.filter(p -> p.getFileName().toString().startsWith("qkms-keystore-"))
          .sorted()
          .toList();
    }
  }

  @Test
  void noteExhausted_countsRecordsInARow_untilTheEngineAnswers() {
    try (WorkerEngine a = WorkerEngines.acquire(spec().withCacheCapacity(7));
        WorkerEngine b = WorkerEngines.acquire(spec().withCacheCapacity(7))) {
      assertThat(a.noteExhausted(), is(1));
      assertThat(b.noteExhausted(), is(2)); // shared by every user of the engine
      b.noteAnswered();
      assertThat(a.noteExhausted(), is(1));
    }
  }
}
