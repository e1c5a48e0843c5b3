package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.internal.store.AtomicFiles;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A writer killed at any moment leaves a store that opens with the old or the new content. */
class FileKeyStoreCrashTest {
  private static final int ROUNDS = 8;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void writerKilledAtRandomMoments_leavesAConsistentStoreEveryTime() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    Random random = new Random(20260101);
    Set<String> stored = new LinkedHashSet<>();

    for (int round = 0; round < ROUNDS; round++) {
      List<String> acknowledged;
      List<String> otherOutput;
      try (ChildJvm writer = ChildJvm.start(StoreWriterMain.class, dir.toString(), "forever")) {
        writer.awaitLine("created ", START_TIMEOUT);
        Thread.sleep(random.nextInt(80)); // a random moment, most likely inside a write
        writer.kill();
        acknowledged = StoreWriterMain.createdIds(writer.lines());
        otherOutput = writer.lines().stream().filter(l -> !l.contains("created ")).toList();
      }

      Set<String> expected = new LinkedHashSet<>(stored);
      expected.addAll(acknowledged);
      try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY);
          KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
        StoreState s = store.read(Duration.ofSeconds(1));
        Set<String> now = keyIds(s);
        String where = "round " + round + ", other output of the writer: " + otherOutput;
        // Every write the writer saw committed is there; at most the one in flight besides.
        assertThat(where, now, hasItems(expected.toArray(String[]::new)));
        assertThat(where, now.size(), lessThanOrEqualTo(expected.size() + 1));
        // Each commit created one key: a torn write would break this count.
        assertThat(where, s.revision(), equalTo((long) now.size()));
        for (String id : now) {
          if (!stored.contains(id)) {
            byte[] blob = FileStores.encrypt(engine, id, "round " + round);
            assertThat(where, FileStores.decrypt(engine, blob), equalTo("round " + round));
          }
        }
        stored = now;
      }
    }
  }

  /**
   * The writer is stopped at each step of a write (the hook in AtomicFiles) and killed there, so
   * the kill is known to land mid-write: before the rename the store opens with the old content,
   * after it with the new; the temporary file a killed writer left is ignored, then removed.
   */
  @ParameterizedTest
  @EnumSource(AtomicFiles.Step.class)
  void writerKilledAtEachStepOfAWrite_leavesTheOldOrTheNewStore(AtomicFiles.Step step)
      throws Exception {
    FileStores.createWithKeyFile(dir).close();
    List<String> acknowledged;
    try (ChildJvm writer =
        ChildJvm.start(StoreWriterMain.class, dir.toString(), "forever", step.name())) {
      writer.awaitLine("paused at " + step, START_TIMEOUT);
      assertThat(FileStores.leftovers(dir).isEmpty(), equalTo(step == AtomicFiles.Step.RENAMED));
      writer.kill();
      acknowledged = StoreWriterMain.createdIds(writer.lines());
    }
    assertThat(acknowledged.size(), equalTo(1)); // the pause is in the second write

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
      StoreState s = store.read(Duration.ofSeconds(1));
      Set<String> now = keyIds(s);
      assertThat(now, hasItems(acknowledged.get(0)));
      int expected = step == AtomicFiles.Step.RENAMED ? 2 : 1; // renamed: the new store is in place
      assertThat(now.size(), equalTo(expected));
      assertThat(s.revision(), equalTo((long) expected));
      engine.createKey(FileStores.root(), CreateKeyRequest.builder().build());
    }
    assertThat(FileStores.leftovers(dir), empty());
  }

  @Test
  void nextWrite_removesTemporaryFilesAKilledWriterLeft() throws IOException {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir);
        KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
      Path leftover = dir.resolve(FileKeyStore.STORE_FILE + ".tmp-" + UUID.randomUUID());
      Files.write(leftover, new byte[] {1, 2, 3});

      engine.createKey(FileStores.root(), CreateKeyRequest.builder().build());

      assertThat(FileStores.leftovers(dir), empty());
    }
  }

  @Test
  void open_ignoresTemporaryFilesAKilledWriterLeft() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    Files.write(dir.resolve(FileKeyStore.STORE_FILE + ".tmp-" + UUID.randomUUID()), new byte[10]);

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY)) {
      assertThat(store.read(Duration.ofSeconds(1)).revision(), equalTo(0L));
    }
  }

  @Test
  void writesAfterKilledWriters_leaveNoTemporaryFiles() throws Exception {
    FileStores.createWithKeyFile(dir).close();
    for (int round = 0; round < 2; round++) {
      try (ChildJvm writer = ChildJvm.start(StoreWriterMain.class, dir.toString(), "forever")) {
        writer.awaitLine("created ", START_TIMEOUT);
        writer.kill();
      }
    }

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
      engine.createKey(FileStores.root(), CreateKeyRequest.builder().build());
    }

    assertThat(FileStores.leftovers(dir), empty());
  }

  private static Set<String> keyIds(StoreState s) {
    return s.region(FileStores.US_EAST_1).keys().stream()
        .map(KeyRecord::keyId)
        .map(KeyId::value)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
