package io.qkms.engine.store.file;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Where a file key store's root key comes from: a 32-byte root key file, or a passphrase stretched
 * with Argon2id (whose parameters the store keeps in its header).
 */
public sealed interface RootKeySource {
  /** Environment variable naming a root key file kept outside the store. */
  String ROOT_KEY_FILE_ENV = "QKMS_ROOT_KEY_FILE";

  /** Environment variable holding a passphrase. */
  String PASSPHRASE_ENV = "QKMS_PASSPHRASE";

  /** File name of the default root key file inside the store directory. */
  String DEFAULT_ROOT_KEY_FILE = "root.key";

  /** A root key file: 32 raw bytes (or 64 hex digits and an optional newline). */
  record KeyFile(Path path) implements RootKeySource {
    public KeyFile {
      Objects.requireNonNull(path, "path");
    }
  }

  /** A passphrase; {@link #wipe()} clears the caller's copy when done. */
  record Passphrase(char[] chars) implements RootKeySource {
    public Passphrase {
      Objects.requireNonNull(chars, "chars");
      if (chars.length == 0) {
        throw new IllegalArgumentException("The passphrase is empty");
      }
    }

    public void wipe() {
      Arrays.fill(chars, '\0');
    }

    @Override
    public String toString() {
      return "Passphrase[hidden]";
    }
  }

  /**
   * The source the environment selects, as the command line and the pipeline find it: {@code
   * QKMS_ROOT_KEY_FILE} if set, else {@code QKMS_PASSPHRASE} if set, else {@code <store>/root.key}.
   */
  static RootKeySource fromEnvironment(Path storeDir, Map<String, String> env) {
    String file = env.get(ROOT_KEY_FILE_ENV);
    if (file != null && !file.isBlank()) {
      return new KeyFile(Path.of(file));
    }
    String passphrase = env.get(PASSPHRASE_ENV);
    if (passphrase != null && !passphrase.isEmpty()) {
      return new Passphrase(passphrase.toCharArray());
    }
    return new KeyFile(storeDir.resolve(DEFAULT_ROOT_KEY_FILE));
  }
}
