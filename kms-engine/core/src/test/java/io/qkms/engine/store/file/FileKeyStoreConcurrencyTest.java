package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.errors.DependencyTimeoutException;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.internal.store.StoreTimeoutException;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.testing.ChildJvm;
import io.qkms.engine.testing.HeldStoreWrite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers on one store serialise through its lock: no update is lost, no writer waits forever. */
class FileKeyStoreConcurrencyTest {
  private static final Duration SHORT_DEADLINE = Duration.ofMillis(150);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void twoStoreObjectsInOneJvm_writingAtOnce_loseNoUpdate() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    List<String> created = new ArrayList<>();
    try (FileKeyStore a = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        FileKeyStore b = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine ea = FileStores.engine(a, FileStores.clock(), Duration.ofSeconds(10));
        KmsEngine eb = FileStores.engine(b, FileStores.clock(), Duration.ofSeconds(10))) {
      List<Future<List<String>>> writers = new ArrayList<>();
      for (KmsEngine e : List.of(ea, eb, ea, eb)) {
        writers.add(pool.submit(createKeys(e, 10)));
      }
      for (Future<List<String>> w : writers) {
        created.addAll(w.get(30, TimeUnit.SECONDS));
      }
    }

    StoreState s = reopen();
    assertThat(keyIds(s), containsInAnyOrder(created.toArray(String[]::new)));
    assertThat(s.revision(), equalTo(40L));
  }

  @Test
  void secondProcess_writingAtTheSameTime_losesNoUpdate() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    List<String> created = new ArrayList<>();
    try (ChildJvm other = ChildJvm.start(StoreWriterMain.class, dir.toString(), "15");
        FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = FileStores.engine(store, FileStores.clock(), Duration.ofSeconds(10))) {
      other.awaitLine("ready", START_TIMEOUT);
      created.addAll(createKeys(engine, 15).call());
      assertThat(other.lines().toString(), other.awaitExit(START_TIMEOUT), equalTo(0));
      created.addAll(StoreWriterMain.createdIds(other.lines()));
    }

    StoreState s = reopen();
    assertThat(created.size(), equalTo(30));
    assertThat(keyIds(s), containsInAnyOrder(created.toArray(String[]::new)));
    assertThat(s.revision(), equalTo(30L));
  }

  @Test
  void writerBlockedLongerThanItsDeadline_failsWithStoreTimeout() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    try (FileKeyStore holder = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        FileKeyStore waiter = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE)) {
      HeldStoreWrite held = HeldStoreWrite.start(holder);
      long start = System.nanoTime();

      StoreTimeoutException e =
          assertThrows(StoreTimeoutException.class, () -> waiter.update(SHORT_DEADLINE, s -> s));

      assertThat(
          e.getMessage(), equalTo("Another writer held the key store lock for longer than 150 ms"));
      assertThat(Duration.ofNanos(System.nanoTime() - start), greaterThanOrEqualTo(SHORT_DEADLINE));
      held.close();
    }
  }

  @Test
  void engineBlockedLongerThanItsStoreDeadline_isDependencyTimeout() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    try (FileKeyStore holder = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        FileKeyStore waiter = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = FileStores.engine(waiter, FileStores.clock(), SHORT_DEADLINE)) {
      HeldStoreWrite held = HeldStoreWrite.start(holder);

      DependencyTimeoutException e =
          assertThrows(
              DependencyTimeoutException.class,
              () -> engine.createKey(FileStores.root(), CreateKeyRequest.builder().build()));

      assertThat(e.errorCode(), equalTo("DependencyTimeoutException"));
      assertThat(
          e.getMessage(), equalTo("Another writer held the key store lock for longer than 150 ms"));
      held.close();
    }
  }

  @Test
  void writerBlockedByAnotherProcess_failsWithStoreTimeout() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    try (ChildJvm holder = ChildJvm.start(LockHolderMain.class, dir.toString());
        FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE)) {
      holder.awaitLine("locked", START_TIMEOUT);

      StoreTimeoutException e =
          assertThrows(StoreTimeoutException.class, () -> store.update(SHORT_DEADLINE, s -> s));

      assertThat(
          e.getMessage(), equalTo("Another writer held the key store lock for longer than 150 ms"));
    }
  }

  @Test
  void lockOfAKilledProcess_isFreeAtOnce() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    try (ChildJvm holder = ChildJvm.start(LockHolderMain.class, dir.toString());
        FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = FileStores.engine(store, FileStores.clock(), SHORT_DEADLINE)) {
      holder.awaitLine("locked", START_TIMEOUT);
      holder.kill();

      engine.createKey(FileStores.root(), CreateKeyRequest.builder().build());

      assertThat(store.read(SHORT_DEADLINE).revision(), equalTo(1L));
    }
  }

  @Test
  void storeOpenedThroughASymbolicLink_sharesTheLockWithTheRealPath() throws Exception {
    FileStores.createWithKeyFile(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
    try (FileKeyStore holder =
            FileStores.openWithKeyFile(dir.resolve("real"), FileKeyStore.Mode.READ_WRITE);
        FileKeyStore waiter =
            FileKeyStore.open(
                link,
                new RootKeySource.KeyFile(dir.resolve("real/root.key")),
                FileKeyStore.Mode.READ_WRITE)) {
      HeldStoreWrite held = HeldStoreWrite.start(holder);

      StoreTimeoutException e =
          assertThrows(StoreTimeoutException.class, () -> waiter.update(SHORT_DEADLINE, s -> s));

      assertThat(
          e.getMessage(), equalTo("Another writer held the key store lock for longer than 150 ms"));
      held.close();
    }
  }

  private static Callable<List<String>> createKeys(KmsEngine engine, int n) {
    return () -> {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add(
            engine
                .createKey(FileStores.root(), CreateKeyRequest.builder().build())
                .keyMetadata()
                .keyId());
      }
      return ids;
    };
  }

  private StoreState reopen() {
    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY)) {
      return store.read(Duration.ofSeconds(1));
    }
  }

  private static List<String> keyIds(StoreState s) {
    return s.region(FileStores.US_EAST_1).keys().stream()
        .map(KeyRecord::keyId)
        .map(KeyId::value)
        .toList();
  }
}
