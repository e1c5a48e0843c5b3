package io.qkms.engine.store.file;

import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.internal.store.AtomicFiles;
import io.qkms.engine.internal.store.MaterialProtector;
import io.qkms.engine.internal.store.ReadOnlyStoreException;
import io.qkms.engine.internal.store.RootKeyProtector;
import io.qkms.engine.internal.store.StateStore;
import io.qkms.engine.internal.store.StoreFailureException;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.internal.store.StoreTimeoutException;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.KeyStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The durable key store: a directory holding {@code store.qks} (everything, encrypted and
 * authenticated under a key derived from the root key; see {@link StoreFile}), {@code store.lock}
 * (the writers' lock) and, by default, {@code root.key}.
 *
 * <p>Writes take the lock (waiting at most their deadline), reload the file if another process
 * changed it, apply the change and replace the file atomically and durably ({@link AtomicFiles}).
 * Reads never lock: they return the last state loaded, reloading first when the file on disk is a
 * different one. "Different" is decided by the file's authenticated prefix (header with revision,
 * and the random nonce of each write), not by its inode, size or modification time: inode numbers
 * are reused at once, timestamps are coarse, and a restore in place keeps all three. A read-only
 * store (what pipeline workers open) refuses writes and sees an administrator's changes on its next
 * read.
 *
 * <p>Cost: opening and reloading decrypt and parse the whole file, linear in the number of keys
 * (about 500 bytes a key with the default policy); every write rewrites it. A read that finds the
 * file unchanged reads only its first few hundred bytes.
 */
public final class FileKeyStore implements KeyStore, StateStore {
  /** The store file's name. */
  public static final String STORE_FILE = "store.qks";

  static final String LOCK_FILE = "store.lock";
  private static final HexFormat HEX = HexFormat.of();

  /** How a store is opened. */
  public enum Mode {
    READ_WRITE,
    READ_ONLY
  }

  /**
   * A loaded state and the fingerprint ({@link StoreFile#fingerprint}) of the file it came from.
   */
  private record Loaded(StoreState state, byte[] fingerprint, byte[] digest) {}

  private final Path dir;
  private final Path file;
  private final Mode mode;
  private final StoreFile.Header header;
  private final RootKeys keys;
  private final RootKeyProtector protector;
  private volatile Loaded loaded;

  private FileKeyStore(Path dir, Mode mode, StoreFile.Header header, RootKeys keys, Loaded loaded) {
    this.dir = dir;
    this.file = dir.resolve(STORE_FILE);
    this.mode = mode;
    this.header = header;
    this.keys = keys;
    this.protector = new RootKeyProtector(keys.materialKey);
    this.loaded = loaded;
  }

  /**
   * Creates a new store in {@code dir} (made if absent; must not hold a store already). With a
   * {@link RootKeySource.KeyFile} that does not exist yet, a new random root key is written there
   * with owner-only permissions; an existing one is used as it is.
   *
   * @param regions the first is the home region
   * @throws KeyStoreOpenException if a store is already there or the root key cannot be had
   */
  public static FileKeyStore create(
      Path dir, AccountId account, List<Region> regions, RootKeySource source) {
    return create(dir, account, regions, source, null);
  }

  /** As {@link #create(Path, AccountId, List, RootKeySource)}, with explicit Argon2 parameters. */
  public static FileKeyStore create(
      Path dir, AccountId account, List<Region> regions, RootKeySource source, KdfParams kdf) {
    Objects.requireNonNull(account, "account");
    StoreState initial = StoreState.create(account, regions);
    Path file = dir.resolve(STORE_FILE);
    try {
      Files.createDirectories(dir);
      if (Files.exists(file)) {
        throw new KeyStoreOpenException(
            KeyStoreOpenException.Problem.ALREADY_EXISTS,
            "A key store already exists in " + dir + "; QKMS will not overwrite it");
      }
      String storeId = UUID.randomUUID().toString();
      KdfParams params = null;
      byte[] rootKey;
      if (source instanceof RootKeySource.Passphrase p) {
        byte[] salt = new byte[16];
        Randomness.current().nextBytes(salt);
        params =
            kdf != null
                ? new KdfParams(salt, kdf.memoryKiB(), kdf.iterations(), kdf.parallelism())
                : KdfParams.recommended(salt);
        rootKey = RootKeys.stretch(p.chars(), params);
      } else {
        Path keyFile = ((RootKeySource.KeyFile) source).path();
        if (Files.exists(keyFile)) {
          rootKey = readRootKeyFile(keyFile);
        } else {
          rootKey = RootKeyProtector.newRootKey();
          Files.createDirectories(keyFile.toAbsolutePath().getParent());
          AtomicFiles.createNew(keyFile, rootKey);
        }
      }
      RootKeys keys;
      try {
        keys = RootKeys.derive(rootKey, storeId);
      } finally {
        Bytes.zero(rootKey);
      }
      StoreFile.Header header = new StoreFile.Header(storeId, 0, params, keys.keyCheck());
      byte[] state = StateCodec.encode(initial);
      // createNew, not replace: two concurrent inits must not both succeed.
      AtomicFiles.createNew(file, StoreFile.encode(header, keys, state));
      return new FileKeyStore(dir, Mode.READ_WRITE, header, keys, load(file, header, keys));
    } catch (FileAlreadyExistsException e) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.ALREADY_EXISTS,
          "A key store already exists in " + dir + "; QKMS will not overwrite it");
    } catch (IOException e) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.IO, "Cannot create a key store in " + dir + ": " + e, e);
    }
  }

  /**
   * Opens the store in {@code dir}.
   *
   * @throws KeyStoreOpenException naming the problem: no store, root key missing or wrong, tampered
   *     file, unknown format
   */
  public static FileKeyStore open(Path dir, RootKeySource source, Mode mode) {
    Path file = dir.resolve(STORE_FILE);
    refuseSymbolicLink(file);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.NOT_FOUND,
          "No QKMS key store in " + dir + " (run `qkms init --keystore " + dir + "` first)");
    } catch (IOException e) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.IO, "Cannot read " + file + ": " + e, e);
    }
    StoreFile.Parsed parsed = StoreFile.parse(bytes, file.toString());
    StoreFile.Header header = parsed.header();
    byte[] rootKey = rootKey(dir, header, source);
    RootKeys keys;
    try {
      keys = RootKeys.derive(rootKey, header.storeId());
    } finally {
      Bytes.zero(rootKey);
    }
    if (!keys.checks(header.keyCheck())) {
      keys.close();
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.WRONG_ROOT_KEY,
          (source instanceof RootKeySource.Passphrase
                  ? "The passphrase does not open the key store in "
                  : "The root key "
                      + ((RootKeySource.KeyFile) source).path()
                      + " does not open the key store in ")
              + dir
              + " (or the store's header was modified)");
    }
    try {
      return new FileKeyStore(dir, mode, header, keys, load(file, header, keys));
    } catch (IOException e) {
      keys.close();
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.IO, "Cannot read " + file + ": " + e, e);
    } catch (KeyStoreOpenException e) {
      keys.close();
      throw e;
    }
  }

  private static byte[] rootKey(Path dir, StoreFile.Header header, RootKeySource source) {
    if (header.kdf() != null) {
      if (!(source instanceof RootKeySource.Passphrase p)) {
        throw rootKeyUnavailable(
            "The key store in "
                + dir
                + " is protected by a passphrase: set "
                + RootKeySource.PASSPHRASE_ENV);
      }
      return RootKeys.stretch(p.chars(), header.kdf());
    }
    if (!(source instanceof RootKeySource.KeyFile f)) {
      throw rootKeyUnavailable(
          "The key store in "
              + dir
              + " uses a root key file, not a passphrase: unset "
              + RootKeySource.PASSPHRASE_ENV
              + " and give the root key file (default "
              + dir.resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)
              + ", or "
              + RootKeySource.ROOT_KEY_FILE_ENV
              + ")");
    }
    try {
      return readRootKeyFile(f.path());
    } catch (NoSuchFileException e) {
      throw rootKeyUnavailable(
          "Root key file "
              + f.path()
              + " not found (set "
              + RootKeySource.ROOT_KEY_FILE_ENV
              + " if the root key is kept elsewhere)");
    } catch (IOException e) {
      throw rootKeyUnavailable(
          "Cannot read root key file " + f.path() + ": " + e.getClass().getSimpleName());
    }
  }

  private static KeyStoreOpenException rootKeyUnavailable(String message) {
    return new KeyStoreOpenException(KeyStoreOpenException.Problem.ROOT_KEY_UNAVAILABLE, message);
  }

  /** 32 raw bytes, or 64 hex digits with an optional trailing newline. */
  static byte[] readRootKeyFile(Path path) throws IOException {
    byte[] b = Files.readAllBytes(path);
    if (b.length == RootKeys.ROOT_KEY_SIZE_BYTES) {
      return b;
    }
    String s = new String(b, StandardCharsets.US_ASCII).strip();
    Bytes.zero(b);
    if (s.length() == 2 * RootKeys.ROOT_KEY_SIZE_BYTES) {
      try {
        return HEX.parseHex(s);
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    throw rootKeyUnavailable("Root key file " + path + " does not hold a 32-byte root key");
  }

  private static Loaded load(Path file, StoreFile.Header expected, RootKeys keys)
      throws IOException {
    return load(file, Files.readAllBytes(file), expected, keys);
  }

  private static Loaded load(Path file, byte[] bytes, StoreFile.Header expected, RootKeys keys) {
    StoreFile.Parsed parsed = StoreFile.parse(bytes, file.toString());
    if (!parsed.header().storeId().equals(expected.storeId())) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.TAMPERED,
          file + " now holds a different key store (store ID changed)");
    }
    byte[] json = StoreFile.decryptState(parsed, keys, file.toString());
    StoreState state;
    try {
      state = StateCodec.decode(json);
    } catch (IOException | RuntimeException e) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.TAMPERED, file + " holds a state QKMS cannot read");
    } finally {
      Bytes.zero(json);
    }
    if (state.revision() != parsed.header().revision()) {
      throw StoreFile.tampered(file.toString());
    }
    return new Loaded(state, StoreFile.fingerprint(parsed), sha256(bytes));
  }

  /** The latest state; reloads first if another process replaced the file. */
  @Override
  public StoreState read(Duration timeout) {
    try {
      return current().state();
    } catch (IOException | KeyStoreOpenException e) {
      throw new StoreFailureException("Cannot reload " + file + ": " + e.getMessage(), e);
    }
  }

  private synchronized Loaded current() throws IOException {
    Loaded l = loaded;
    if (Arrays.equals(StoreFile.readFingerprint(file), l.fingerprint())) {
      return l;
    }
    l = load(file, header, keys);
    loaded = l;
    return l;
  }

  /**
   * The state a write builds on, checked against the whole file: a QKMS writer always changes the
   * fingerprint, but someone editing the encrypted body leaves it as it was, and a write must not
   * silently replace such a file. A file that differs in any byte from what this store last read or
   * wrote is loaded (and so authenticated) again; a damaged one fails the write.
   */
  private synchronized Loaded currentForWrite() throws IOException {
    refuseSymbolicLink(file);
    byte[] bytes = Files.readAllBytes(file);
    Loaded l = loaded;
    if (MessageDigest.isEqual(sha256(bytes), l.digest())) {
      return l;
    }
    l = load(file, bytes, header, keys);
    loaded = l;
    return l;
  }

  /**
   * A symbolic link as the store file is refused: a write renames a new file over the link (the
   * link would silently become a regular file and its target stay behind, stale).
   */
  private static void refuseSymbolicLink(Path file) {
    if (Files.isSymbolicLink(file)) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.IO,
          file
              + " is a symbolic link; QKMS replaces the store file on every write, which would"
              + " replace the link, so it refuses one (move the store directory instead)");
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @Override
  public StoreState update(Duration timeout, UnaryOperator<StoreState> change) {
    if (mode == Mode.READ_ONLY) {
      throw new ReadOnlyStoreException();
    }
    try (StoreLock lock = StoreLock.acquire(dir.resolve(LOCK_FILE), timeout)) {
      Loaded l = currentForWrite();
      StoreState next = change.apply(l.state());
      if (next == l.state()) {
        return next;
      }
      StoreState committed = next.withRevision(l.state().revision() + 1);
      AtomicFiles.removeLeftovers(file);
      byte[] json = StateCodec.encode(committed);
      byte[] content;
      try {
        content =
            StoreFile.encode(
                new StoreFile.Header(
                    header.storeId(), committed.revision(), header.kdf(), header.keyCheck()),
                keys,
                json);
      } finally {
        Bytes.zero(json);
      }
      AtomicFiles.write(file, content);
      // We hold the lock, so the file on disk is the one just written: no need to read it back.
      synchronized (this) {
        loaded = new Loaded(committed, StoreFile.fingerprint(content), sha256(content));
      }
      return committed;
    } catch (StoreTimeoutException e) {
      throw e;
    } catch (IOException | KeyStoreOpenException e) {
      throw new StoreFailureException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean isReadOnly() {
    return mode == Mode.READ_ONLY;
  }

  @Override
  public MaterialProtector materialProtector() {
    return protector;
  }

  /**
   * A copy of the key that signs the audit trail's digests (HKDF of the root key, label {@code
   * qkms/audit/digest/v1}); the caller zeroes it when done.
   */
  public byte[] auditDigestKey() {
    return keys.auditKey.clone();
  }

  public Path directory() {
    return dir;
  }

  /** Whether the store is protected by a passphrase rather than a root key file. */
  public boolean isPassphraseProtected() {
    return header.kdf() != null;
  }

  @Override
  public void close() {
    protector.close();
    keys.close();
  }
}
