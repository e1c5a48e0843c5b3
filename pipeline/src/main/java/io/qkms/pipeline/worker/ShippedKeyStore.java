package io.qkms.pipeline.worker;

import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.KeyStoreOpenException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key store shipped with a job: its store file alone ({@value FileKeyStore#STORE_FILE}, encrypted
 * and authenticated under keys derived from the root key) packed in a small jar that the runner
 * stages like the job jar, so the workers need no shared path to it. The root key is never packed:
 * each worker finds it in its own environment. A worker opens a private copy of the resource (the
 * file store reads a file), deleted when its engine closes.
 */
public final class ShippedKeyStore {
  private static final Logger LOG = LoggerFactory.getLogger(ShippedKeyStore.class);

  /** Where shipped stores live on the class path: {@code qkms-keystore/<name>/store.qks}. */
  public static final String RESOURCE_ROOT = "qkms-keystore/";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private ShippedKeyStore() {}

  /** The resource name of the store shipped under {@code name} (e.g. the run ID). */
  public static String resourceName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("A shipped key store name is [A-Za-z0-9._-], was " + name);
    }
    return RESOURCE_ROOT + name + "/" + FileKeyStore.STORE_FILE;
  }

  /**
   * Packs the store file of the key store in {@code keystore} (and nothing else from that
   * directory: no root key) into {@code jar}, as the resource {@link #resourceName}{@code (name)}.
   *
   * @throws IllegalArgumentException if the directory holds no key store
   */
  public static void pack(Path keystore, String name, Path jar) throws IOException {
    Path store = keystore.resolve(FileKeyStore.STORE_FILE);
    if (!Files.isRegularFile(store)) {
      throw new IllegalArgumentException(
          "--shipKeystore: no key store in " + keystore + " (no " + FileKeyStore.STORE_FILE + ")");
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, manifest)) {
      j.putNextEntry(new JarEntry(resourceName(name)));
      Files.copy(store, j);
      j.closeEntry();
    }
  }

  /**
   * A private copy (a new directory, owner-only) of the shipped store {@code resource}, from the
   * thread's context class loader (a Flink task's is the job's) or this class's.
   *
   * @throws KeyStoreOpenException if no such resource is on the class path
   */
  static Path extract(String resource) {
    InputStream in = open(Thread.currentThread().getContextClassLoader(), resource);
    if (in == null) {
      in = open(ShippedKeyStore.class.getClassLoader(), resource);
    }
    if (in == null) {
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.NOT_FOUND,
          "The shipped key store "
              + resource
              + " is not on this worker's class path (it travels in a jar staged with the job:"
              + " submit with --shipKeystore to a Flink cluster, --flinkMaster=host:port)");
    }
    Path dir = null;
    try (InputStream s = in) {
      dir =
          Files.createTempDirectory(
              "qkms-keystore-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path file = dir.resolve(FileKeyStore.STORE_FILE);
      try (OutputStream out =
          Files.newOutputStream(
              Files.createFile(
                  file,
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------"))),
              StandardOpenOption.WRITE)) {
        s.transferTo(out);
      }
      return dir;
    } catch (IOException e) {
      if (dir != null) {
        delete(dir);
      }
      throw new KeyStoreOpenException(
          KeyStoreOpenException.Problem.IO,
          "Cannot copy the shipped key store " + resource + ": " + e.getMessage(),
          e);
    }
  }

  private static InputStream open(ClassLoader loader, String resource) {
    return loader == null ? null : loader.getResourceAsStream(resource);
  }

  /** Deletes a copy made by {@link #extract} (best effort: it holds only the encrypted store). */
  static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("Cannot delete the shipped key store copy in {}: {}", dir, e.toString());
    }
  }
}
