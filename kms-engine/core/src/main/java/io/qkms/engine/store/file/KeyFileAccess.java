package io.qkms.engine.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which of a store's secret-bearing files (the root key file, the store file) other users can read
 * or write. A root key readable by others gives away every key; one writable by others (or planted
 * by them) lets them choose the root key. On file systems without POSIX permissions nothing is
 * reported.
 */
public final class KeyFileAccess {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private KeyFileAccess() {}

  /**
   * The files of the store in {@code dir} (its root key file, when {@code source} is one, and its
   * store file) that group or others may read or write, each as "PATH (mode rw-r--r--)"; empty if
   * none. Missing files are skipped: opening the store reports them.
   */
  public static List<String> exposed(Path dir, RootKeySource source) throws IOException {
    List<String> out = new ArrayList<>();
    if (source instanceof RootKeySource.KeyFile f) {
      describeIfExposed(f.path()).ifPresent(out::add);
    }
    describeIfExposed(dir.resolve(FileKeyStore.STORE_FILE)).ifPresent(out::add);
    return out;
  }

  /** "PATH (mode rw-r--r--)" if group or others may read or write {@code file}. */
  public static Optional<String> describeIfExposed(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return Optional.empty();
    }
    Set<PosixFilePermission> perms;
    try {
      perms = view.readAttributes().permissions();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (perms.stream().noneMatch(OTHERS::contains)) {
      return Optional.empty();
    }
    return Optional.of(file + " (mode " + PosixFilePermissions.toString(perms) + ")");
  }
}
