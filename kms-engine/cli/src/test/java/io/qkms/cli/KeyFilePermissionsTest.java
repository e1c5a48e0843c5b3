package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root key someone else planted, or key files other users can read, are refused by {@code init},
 * {@code serve} and the commands that open a store, unless explicitly allowed.
 */
class KeyFilePermissionsTest {
  @TempDir Path dir;

  private Path ks() {
    return dir.resolve("ks");
  }

  private void init() {
    InProcess.init(ks());
  }

  private static void chmod(Path file, String mode) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
  }

  @Test
  void init_writesOwnerOnlyKeyFiles() throws IOException {
    init();

    for (String name : new String[] {"root.key", "store.qks", "credentials"}) {
      assertThat(
          name,
          PosixFilePermissions.toString(Files.getPosixFilePermissions(ks().resolve(name))),
          equalTo("rw-------"));
    }
  }

  @Test
  void init_plantedRootKey_isRefusedWithoutReuseOption() throws IOException {
    Path planted = Files.createDirectories(ks()).resolve("root.key");
    Files.write(planted, new byte[32]);
    chmod(planted, "rw-------");

    CliProcess.Result r = InProcess.qkms(Map.of(), "init", "--keystore", ks().toString());

    assertThat(r.toString(), r.status(), equalTo(255));
    assertThat(
        r.stderr(),
        equalTo(
            "qkms: Root key file "
                + planted
                + " already exists and init did not create it; pass --reuse-root-key to use it"
                + " (check first who made it)\n"));
    assertThat(Files.exists(ks().resolve("store.qks")), equalTo(false));
  }

  @Test
  void init_existingOwnerOnlyRootKey_isUsedWithReuseOption() throws IOException {
    Path key = Files.createDirectories(ks()).resolve("root.key");
    Files.write(key, new byte[32]);
    chmod(key, "rw-------");

    String out = InProcess.ok(Map.of(), "init", "--keystore", ks().toString(), "--reuse-root-key");

    assertThat(out, containsString("\"RootKeyFileCreated\": false"));
    assertThat(Files.readAllBytes(key), equalTo(new byte[32]));
  }

  @Test
  void init_worldReadableRootKey_isRefusedEvenWithReuseOption() throws IOException {
    Path key = Files.createDirectories(ks()).resolve("root.key");
    Files.write(key, new byte[32]);
    chmod(key, "rw-r--r--");

    CliProcess.Result r =
        InProcess.qkms(Map.of(), "init", "--keystore", ks().toString(), "--reuse-root-key");

    assertThat(r.toString(), r.status(), equalTo(255));
    assertThat(
        r.stderr(),
        equalTo(
            "qkms: Refusing key files that group or others may read or write: "
                + key
                + " (mode rw-r--r--) (chmod 600 them and check who else had access, or pass"
                + " --allow-exposed-key-files)\n"));
    assertThat(Files.exists(ks().resolve("store.qks")), equalTo(false));
  }

  @Test
  void command_groupReadableRootKey_isRefused() throws IOException {
    init();
    chmod(ks().resolve("root.key"), "rw-r-----");

    CliProcess.Result r = InProcess.qkms(Map.of(), "list-keys", "--keystore", ks().toString());

    assertThat(r.toString(), r.status(), equalTo(255));
    assertThat(
        r.stderr(),
        equalTo(
            "qkms: Refusing key files that group or others may read or write: "
                + ks().resolve("root.key")
                + " (mode rw-r-----) (chmod 600 them and check who else had access, or pass"
                + " --allow-exposed-key-files)\n"));
    assertThat(r.stdout(), emptyString());
  }

  @Test
  void command_worldReadableStoreFile_isRefused() throws IOException {
    init();
    chmod(ks().resolve("store.qks"), "rw----r--");

    CliProcess.Result r =
        InProcess.qkms(Map.of(), "create-access-key", "--keystore", ks().toString());

    assertThat(r.toString(), r.status(), equalTo(255));
    assertThat(r.stderr(), containsString(ks().resolve("store.qks") + " (mode rw----r--)"));
    assertThat(r.stdout(), emptyString());
  }

  @Test
  void serve_worldReadableRootKey_isRefusedBeforeListening() throws IOException {
    init();
    chmod(ks().resolve("root.key"), "rw-r--r--");

    CliProcess.Result r =
        InProcess.qkms(Map.of(), "serve", "--keystore", ks().toString(), "--port", "0");

    assertThat(r.toString(), r.status(), equalTo(255));
    assertThat(
        r.stderr(),
        containsString(
            "qkms: Refusing key files that group or others may read or write: "
                + ks().resolve("root.key")
                + " (mode rw-r--r--)"));
  }

  @Test
  void command_exposedKeyFile_withOverride_warnsAndRuns() throws IOException {
    init();
    chmod(ks().resolve("root.key"), "rw-r--r--");

    CliProcess.Result r =
        InProcess.qkms(
            Map.of(), "list-keys", "--keystore", ks().toString(), "--allow-exposed-key-files");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(
        r.stderr(),
        equalTo(
            "qkms: warning: group or others may read or write "
                + ks().resolve("root.key")
                + " (mode rw-r--r--); using it because of --allow-exposed-key-files\n"));
    assertThat(r.stdout(), containsString("\"Keys\""));
    assertThat(r.stderr(), not(containsString("\tat ")));
  }
}
