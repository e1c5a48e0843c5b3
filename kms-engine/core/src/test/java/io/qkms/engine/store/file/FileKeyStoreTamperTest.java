package io.qkms.engine.store.file;

import static io.qkms.engine.store.file.FileStores.assertOpenFails;
import static io.qkms.engine.store.file.KeyStoreOpenException.Problem.TAMPERED;
import static io.qkms.engine.store.file.KeyStoreOpenException.Problem.UNSUPPORTED_FORMAT;
import static io.qkms.engine.store.file.KeyStoreOpenException.Problem.WRONG_ROOT_KEY;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRequest;
import io.qkms.engine.internal.crypto.Xaes256Gcm;
import io.qkms.engine.internal.store.StoreFailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every modification of the store file is detected when the store is opened, reported as a
 * KeyStoreOpenException naming the problem, and the failed open changes nothing on disk.
 */
class FileKeyStoreTamperTest {
  private static final int PREFIX_BYTES = StoreFile.MAGIC.length + 4;
  private static final int VERSION_BYTE = StoreFile.MAGIC.length - 1;

  @TempDir Path dir;

  @Test
  void flippingAnyByte_ofASmallKeyFileStore_failsTheOpenNamingTheProblem() throws IOException {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir);
        KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
      engine.createKey(FileStores.root(), CreateKeyRequest.builder().build());
    }
    byte[] original = storeBytes();

    Map<Integer, String> wrong =
        sweep(
            original,
            allPositions(original.length),
            () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY),
            expectations(original, "keyCheck"));

    assertThat(wrong, anEmptyMap());
  }

  @Test
  void flippingAnyByte_ofAPassphraseStore_failsTheOpenNamingTheProblem() throws IOException {
    FileStores.createWithPassphrase(dir, "pass phrase").close();
    byte[] original = storeBytes();

    Map<Integer, String> wrong =
        sweep(
            original,
            allPositions(original.length),
            () ->
                FileKeyStore.open(
                    dir, FileStores.passphrase("pass phrase"), FileKeyStore.Mode.READ_ONLY),
            // The Argon2 parameters decide the root key: changed, they are a wrong passphrase.
            expectations(original, "keyCheck", "salt", "memoryKiB", "iterations", "parallelism"));

    assertThat(wrong, anEmptyMap());
  }

  @Test
  void flippingSampledBytes_ofALargerStore_coversHeaderNonceBodyAndTag() throws IOException {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir);
        KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
      for (int i = 0; i < 40; i++) {
        String id =
            engine
                .createKey(FileStores.root(), CreateKeyRequest.builder().build())
                .keyMetadata()
                .keyId();
        engine.createAlias(FileStores.root(), new CreateAliasRequest("alias/k" + i, id));
      }
    }
    byte[] original = storeBytes();
    int aad = aadLength(original);
    assertThat(original.length, greaterThan(5_000));
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < aad + Xaes.NONCE; i++) {
      positions.add(i); // the whole header and nonce
    }
    for (int i = original.length - Xaes.TAG; i < original.length; i++) {
      positions.add(i); // the whole tag
    }
    Random random = new Random(42);
    for (int i = 0; i < 300; i++) {
      positions.add(
          aad + Xaes.NONCE + random.nextInt(original.length - aad - Xaes.NONCE - Xaes.TAG));
    }

    Map<Integer, String> wrong =
        sweep(
            original,
            positions,
            () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY),
            expectations(original, "keyCheck"));

    assertThat(wrong, anEmptyMap());
  }

  @Test
  void truncatedFile_isTampered() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    byte[] original = storeBytes();

    for (int length :
        new int[] {0, 5, PREFIX_BYTES, aadLength(original) + 10, original.length - 1}) {
      Files.write(storeFile(), Arrays.copyOf(original, length));
      KeyStoreOpenException e =
          assertThrows(
              KeyStoreOpenException.class,
              () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY));
      assertThat("length " + length, e.problem(), equalTo(TAMPERED));
    }
  }

  @Test
  void appendedByte_isTampered() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    byte[] original = storeBytes();
    Files.write(storeFile(), Arrays.copyOf(original, original.length + 1));

    assertOpenFails(
        TAMPERED,
        storeFile()
            + " was modified or damaged: it does not authenticate under this store's root key",
        () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY));
  }

  @Test
  void newerFormatVersion_isUnsupportedFormat() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    byte[] b = storeBytes();
    b[VERSION_BYTE] = 2;
    Files.write(storeFile(), b);

    assertOpenFails(
        UNSUPPORTED_FORMAT,
        storeFile() + " has key store format version 2, which this QKMS does not read",
        () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY));
  }

  @Test
  void hugeArgon2CostInTheHeader_isTamperedWithoutRunningIt() throws IOException {
    FileStores.createWithPassphrase(dir, "pass phrase").close();
    byte[] b = storeBytes();
    // Same length, so only the parameter changes: 8 KiB becomes 9 GiB-ish.
    String header =
        new String(b, PREFIX_BYTES, aadLength(b) - PREFIX_BYTES, StandardCharsets.UTF_8);
    String changed =
        header
            .replace("\"iterations\":1,", "\"iterations\":9,")
            .replace("\"memoryKiB\":8,", "\"memoryKiB\":9,");
    Files.write(storeFile(), with(b, changed));
    assertThat(
        assertThrows(KeyStoreOpenException.class, () -> openWithPassphrase()).problem(),
        equalTo(WRONG_ROOT_KEY));

    String huge = header.replace("\"iterations\":1,", "\"iterations\":2000000000,");
    Files.write(storeFile(), with(b, huge));
    KeyStoreOpenException e = assertThrows(KeyStoreOpenException.class, () -> openWithPassphrase());

    assertThat(e.problem(), equalTo(TAMPERED));
  }

  @Test
  void storeFileReplacedByAnotherStore_afterOpen_failsTheNextReload(@TempDir Path other)
      throws IOException {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir)) {
      Files.copy(FileStores.rootKeyFile(dir), FileStores.rootKeyFile(other));
      FileStores.createWithKeyFile(other).close();
      Files.copy(
          other.resolve(FileKeyStore.STORE_FILE), storeFile(), StandardCopyOption.REPLACE_EXISTING);

      StoreFailureException e =
          assertThrows(StoreFailureException.class, () -> store.read(Duration.ofSeconds(1)));

      assertThat(
          e.getMessage(),
          equalTo(
              "Cannot reload "
                  + storeFile()
                  + ": "
                  + storeFile()
                  + " now holds a different key store (store ID changed)"));
    }
  }

  @Test
  void fileRewrittenInPlace_withSameSizeAndModificationTime_isReloaded() throws IOException {
    // A restore that writes into the same inode and keeps the timestamp (cp -p, rsync --inplace)
    // leaves inode, size and mtime as they were: only the content tells the files apart.
    Revisions r = twoRevisionsOfTheSameSize();
    writeInPlace(r.older(), FileTime.fromMillis(1_000_000));

    try (FileKeyStore reader = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY)) {
      assertThat(reader.read(Duration.ofSeconds(1)).revision(), equalTo(r.olderRevision()));
      writeInPlace(r.newer(), FileTime.fromMillis(1_000_000));

      assertThat(reader.read(Duration.ofSeconds(1)).revision(), equalTo(r.newerRevision()));
    }
  }

  @Test
  void writer_afterFileRewrittenInPlace_appliesItsChangeToTheNewContent() throws IOException {
    Revisions r = twoRevisionsOfTheSameSize();
    writeInPlace(r.older(), FileTime.fromMillis(2_000_000));
    try (FileKeyStore writer = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE)) {
      writeInPlace(r.newer(), FileTime.fromMillis(2_000_000));

      // A stale writer would commit on top of the older revision and lose the newer one.
      assertThat(
          writer.update(Duration.ofSeconds(1), s -> s.withRevision(-1)).revision(),
          equalTo(r.newerRevision() + 1));
    }
  }

  @Test
  void writer_afterBodyDamagedOnDisk_refusesToOverwriteIt() throws IOException {
    try (FileKeyStore writer = FileStores.createWithKeyFile(dir)) {
      writer.update(Duration.ofSeconds(1), s -> s.withRevision(-1));
      byte[] damaged = storeBytes();
      damaged[damaged.length - 1] ^= 1; // the tag: the authenticated prefix is unchanged
      Files.write(storeFile(), damaged);

      StoreFailureException e =
          assertThrows(
              StoreFailureException.class,
              () -> writer.update(Duration.ofSeconds(1), s -> s.withRevision(-1)));

      assertThat(
          e.getMessage(),
          equalTo(
              "Cannot write "
                  + storeFile()
                  + ": "
                  + storeFile()
                  + " was modified or damaged: it does not authenticate under this store's root"
                  + " key"));
      assertThat(storeBytes(), equalTo(damaged));
    }
  }

  @Test
  void symlinkedStoreFile_isRefusedAtOpen(@TempDir Path elsewhere) throws IOException {
    FileStores.createWithKeyFile(dir).close();
    Path real = Files.move(storeFile(), elsewhere.resolve(FileKeyStore.STORE_FILE));
    Files.createSymbolicLink(storeFile(), real);

    KeyStoreOpenException e =
        assertThrows(
            KeyStoreOpenException.class,
            () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE));

    assertThat(
        e.getMessage(),
        equalTo(
            storeFile()
                + " is a symbolic link; QKMS replaces the store file on every write, which would"
                + " replace the link, so it refuses one (move the store directory instead)"));
  }

  @Test
  void symlinkedStoreFile_madeAfterOpen_isRefusedAtTheNextWrite(@TempDir Path elsewhere)
      throws IOException {
    try (FileKeyStore writer = FileStores.createWithKeyFile(dir)) {
      Path real = Files.move(storeFile(), elsewhere.resolve(FileKeyStore.STORE_FILE));
      Files.createSymbolicLink(storeFile(), real);

      StoreFailureException e =
          assertThrows(
              StoreFailureException.class,
              () -> writer.update(Duration.ofSeconds(1), s -> s.withRevision(-1)));

      assertThat(e.getMessage(), containsString("is a symbolic link"));
      assertThat(Files.isSymbolicLink(storeFile()), equalTo(true));
    }
  }

  /** Two store files of different revisions and the same length. */
  private record Revisions(byte[] older, long olderRevision, byte[] newer, long newerRevision) {}

  /**
   * Toggles a key until two revisions of the file have the same length (deflate makes lengths
   * wander by a byte or two, so one repeats within a few writes).
   */
  private Revisions twoRevisionsOfTheSameSize() throws IOException {
    Map<Integer, byte[]> byLength = new HashMap<>();
    Map<Integer, Long> revisionOf = new HashMap<>();
    try (FileKeyStore store = FileStores.createWithKeyFile(dir);
        KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
      String a =
          engine
              .createKey(FileStores.root(), CreateKeyRequest.builder().build())
              .keyMetadata()
              .keyId();
      for (int i = 0; i < 40; i++) {
        if (i % 2 == 0) {
          engine.disableKey(FileStores.root(), new DisableKeyRequest(a));
        } else {
          engine.enableKey(FileStores.root(), new EnableKeyRequest(a));
        }
        byte[] b = storeBytes();
        long revision = store.read(Duration.ofSeconds(1)).revision();
        byte[] earlier = byLength.putIfAbsent(b.length, b);
        if (earlier != null) {
          return new Revisions(earlier, revisionOf.get(b.length), b, revision);
        }
        revisionOf.put(b.length, revision);
      }
    }
    throw new AssertionError("No two revisions of the same length in 40 writes");
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Byte flips applied at every position: one low bit, and all bits. */
  private static final int[] FLIPS = {0x01, 0xFF};

  /**
   * Flips each position, opens, and returns what went wrong per position (empty: all as expected).
   */
  private Map<Integer, String> sweep(
      byte[] original,
      List<Integer> positions,
      Supplier<FileKeyStore> open,
      Map<Integer, Set<KeyStoreOpenException.Problem>> expected)
      throws IOException {
    Map<Integer, String> wrong = new TreeMap<>();
    FileTime mtime = FileTime.fromMillis(1_234_567_000L);
    // One byte is changed in place and put back, not the whole file rewritten: truncating and
    // rewriting a file costs ext4 a flush each time, and thousands of them would take seconds.
    try (FileChannel ch = FileChannel.open(storeFile(), StandardOpenOption.WRITE)) {
      for (int pos : positions) {
        for (int flip : FLIPS) {
          byte[] b = original.clone();
          b[pos] ^= (byte) flip;
          ch.write(ByteBuffer.wrap(b, pos, 1), pos);
          Files.setLastModifiedTime(storeFile(), mtime);
          Set<KeyStoreOpenException.Problem> allowed =
              expected.getOrDefault(pos, EnumSet.of(TAMPERED));
          try {
            open.get().close();
            wrong.put(pos, "opened after flipping 0x" + Integer.toHexString(flip));
          } catch (KeyStoreOpenException e) {
            if (!allowed.contains(e.problem())) {
              wrong.put(pos, e.problem() + " (expected " + allowed + "): " + e.getMessage());
            }
          } catch (RuntimeException | Error e) {
            wrong.put(pos, "threw " + e);
          }
          if (!Arrays.equals(Files.readAllBytes(storeFile()), b)
              || !Files.getLastModifiedTime(storeFile()).equals(mtime)) {
            wrong.put(pos, "the failed open changed the file");
          }
          ch.write(ByteBuffer.wrap(original, pos, 1), pos);
        }
      }
    }
    assertThat(Files.readAllBytes(storeFile()), equalTo(original));
    return wrong;
  }

  /**
   * What each position may fail with: the version byte is an unknown format, the values of the
   * named header members are a wrong root key (or, where a flip breaks the JSON, a damaged file),
   * the rest is a damaged file.
   */
  private static Map<Integer, Set<KeyStoreOpenException.Problem>> expectations(
      byte[] file, String... rootKeyMembers) {
    Map<Integer, Set<KeyStoreOpenException.Problem>> m = new TreeMap<>();
    m.put(VERSION_BYTE, EnumSet.of(UNSUPPORTED_FORMAT));
    String header =
        new String(file, PREFIX_BYTES, aadLength(file) - PREFIX_BYTES, StandardCharsets.UTF_8);
    for (String member : rootKeyMembers) {
      int at = header.indexOf("\"" + member + "\":");
      if (at < 0) {
        throw new IllegalArgumentException("No member " + member + " in " + header);
      }
      int start = at + member.length() + 3;
      int end = start;
      while (end < header.length() && header.charAt(end) != ',' && header.charAt(end) != '}') {
        end++;
      }
      for (int i = start; i < end; i++) {
        boolean quote = header.charAt(i) == '"';
        m.put(
            PREFIX_BYTES + i, quote ? EnumSet.of(TAMPERED) : EnumSet.of(WRONG_ROOT_KEY, TAMPERED));
      }
    }
    // A changed key-check value can only be a wrong root key: nothing else reads it.
    if (List.of(rootKeyMembers).contains("keyCheck")) {
      int start = header.indexOf("\"keyCheck\":\"") + "\"keyCheck\":\"".length();
      for (int i = start; i < start + 32; i++) {
        m.put(PREFIX_BYTES + i, EnumSet.of(WRONG_ROOT_KEY));
      }
    }
    return m;
  }

  private static List<Integer> allPositions(int length) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      all.add(i);
    }
    return all;
  }

  private static int aadLength(byte[] file) {
    return PREFIX_BYTES + ByteBuffer.wrap(file, StoreFile.MAGIC.length, 4).getInt();
  }

  private static byte[] with(byte[] file, String header) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    int old = aadLength(file) - PREFIX_BYTES;
    ByteBuffer out = ByteBuffer.allocate(file.length - old + h.length);
    out.put(file, 0, StoreFile.MAGIC.length).putInt(h.length).put(h);
    out.put(file, PREFIX_BYTES + old, file.length - PREFIX_BYTES - old);
    return out.array();
  }

  private FileKeyStore openWithPassphrase() {
    return FileKeyStore.open(
        dir, FileStores.passphrase("pass phrase"), FileKeyStore.Mode.READ_ONLY);
  }

  private void writeInPlace(byte[] content, FileTime mtime) throws IOException {
    Object inode = Files.readAttributes(storeFile(), BasicFileAttributes.class).fileKey();
    Files.write(storeFile(), content); // truncates and rewrites the same inode
    Files.setLastModifiedTime(storeFile(), mtime);
    assertThat(
        Files.readAttributes(storeFile(), BasicFileAttributes.class).fileKey(), equalTo(inode));
  }

  private Path storeFile() {
    return dir.resolve(FileKeyStore.STORE_FILE);
  }

  private byte[] storeBytes() throws IOException {
    return Files.readAllBytes(storeFile());
  }

  /** XAES-256-GCM sizes of the store file's nonce and tag. */
  private static final class Xaes {
    static final int NONCE = Xaes256Gcm.NONCE_SIZE_BYTES;
    static final int TAG = Xaes256Gcm.TAG_SIZE_BYTES;
  }
}
