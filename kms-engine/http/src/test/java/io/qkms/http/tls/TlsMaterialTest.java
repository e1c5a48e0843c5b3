package io.qkms.http.tls;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Making a self-signed certificate, and every way a certificate or key file is refused. */
class TlsMaterialTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @TempDir Path dir;

  private Path cert(String name) {
    return dir.resolve(name + ".pem");
  }

  private Path key(String name) {
    return dir.resolve(name + ".key");
  }

  private void make(String name, Instant from, List<String> names) throws Exception {
    SelfSignedCertificate.write(cert(name), key(name), names, Duration.ofDays(30), from);
  }

  @Test
  void selfSigned_coversLoopbackAndTheNamesGiven_withAKeyReadableByItsOwnerOnly() throws Exception {
    X509Certificate c =
        SelfSignedCertificate.write(
            cert("a"), key("a"), List.of("kms.example.com", "10.0.0.7"), Duration.ofDays(30), NOW);

    List<String> sans = new ArrayList<>();
    c.getSubjectAlternativeNames().forEach(san -> sans.add(String.valueOf(san.get(1))));
    assertThat(sans, hasItem("127.0.0.1"));
    assertThat(sans, hasItem("localhost"));
    assertThat(sans, hasItem("kms.example.com"));
    assertThat(sans, hasItem("10.0.0.7"));
    assertThat(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(key("a"))),
        equalTo("rw-------"));
    assertThat(c.getExtendedKeyUsage(), hasItem("1.3.6.1.5.5.7.3.1")); // serverAuth
    assertThat(c.getBasicConstraints(), equalTo(-1)); // not a CA

    TlsMaterial read = TlsMaterial.readPem(cert("a"), key("a"), NOW);
    assertThat(read.certificate(), equalTo(c));
  }

  @Test
  void selfSigned_neverOverwrites() throws Exception {
    make("a", NOW, List.of());
    byte[] before = Files.readAllBytes(key("a"));

    TlsMaterialException e =
        assertThrows(TlsMaterialException.class, () -> make("a", NOW, List.of()));

    assertThat(e.getMessage(), containsString("exists; it is not overwritten"));
    assertThat(Files.readAllBytes(key("a")), equalTo(before));
  }

  @Test
  void selfSigned_refusesANameThatIsNeitherDnsNorIp() {
    TlsMaterialException e =
        assertThrows(TlsMaterialException.class, () -> make("a", NOW, List.of("bad name!")));

    assertThat(e.getMessage(), equalTo("Not a DNS name or IP address: 'bad name!'"));
    assertThat(Files.exists(key("a")), equalTo(false));
  }

  @Test
  void keyReadableByOthers_isRefused() throws Exception {
    make("a", NOW, List.of());
    Files.setPosixFilePermissions(key("a"), PosixFilePermissions.fromString("rw-r--r--"));

    TlsMaterialException e =
        assertThrows(
            TlsMaterialException.class, () -> TlsMaterial.readPem(cert("a"), key("a"), NOW));

    assertThat(
        e.getMessage(),
        equalTo(
            "The key file "
                + key("a")
                + " is accessible by others (rw-r--r--); make it readable by its owner only:"
                + " chmod 600 "
                + key("a")));
  }

  @Test
  void keyOfAnotherCertificate_isRefused() throws Exception {
    make("a", NOW, List.of());
    make("b", NOW, List.of());

    TlsMaterialException e =
        assertThrows(
            TlsMaterialException.class, () -> TlsMaterial.readPem(cert("a"), key("b"), NOW));

    assertThat(
        e.getMessage(),
        equalTo("The key in " + key("b") + " is not the key of the certificate in " + cert("a")));
  }

  @Test
  void expiredCertificate_isRefused() throws Exception {
    make("a", NOW.minus(Duration.ofDays(31)), List.of());

    TlsMaterialException e =
        assertThrows(
            TlsMaterialException.class, () -> TlsMaterial.readPem(cert("a"), key("a"), NOW));

    assertThat(e.getMessage(), containsString("The certificate in " + cert("a") + " expired on"));
  }

  @Test
  void notYetValidCertificate_isRefused() throws Exception {
    make("a", NOW.plus(Duration.ofDays(1)), List.of());

    TlsMaterialException e =
        assertThrows(
            TlsMaterialException.class, () -> TlsMaterial.readPem(cert("a"), key("a"), NOW));

    assertThat(
        e.getMessage(), containsString("The certificate in " + cert("a") + " is not valid before"));
  }

  @Test
  void filesThatAreNotPem_areRefused() throws Exception {
    make("a", NOW, List.of());
    Path notPem = dir.resolve("not.pem");
    Files.writeString(notPem, "hello\n", StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(notPem, PosixFilePermissions.fromString("rw-------"));

    TlsMaterialException noCert =
        assertThrows(TlsMaterialException.class, () -> TlsMaterial.readPem(notPem, key("a"), NOW));
    TlsMaterialException noKey =
        assertThrows(TlsMaterialException.class, () -> TlsMaterial.readPem(cert("a"), notPem, NOW));
    TlsMaterialException missing =
        assertThrows(
            TlsMaterialException.class,
            () -> TlsMaterial.readPem(cert("a"), dir.resolve("none.key"), NOW));

    assertThat(
        noCert.getMessage(),
        equalTo(
            "The certificate file " + notPem + " holds no PEM certificate (BEGIN CERTIFICATE)"));
    assertThat(
        noKey.getMessage(),
        equalTo("The key file " + notPem + " holds no PEM private key (BEGIN PRIVATE KEY)"));
    assertThat(
        missing.getMessage(),
        equalTo("The key file " + dir.resolve("none.key") + " does not exist"));
  }
}
