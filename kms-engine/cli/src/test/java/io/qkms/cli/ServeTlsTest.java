package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.qkms.cli.AwsClients.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qkms tls-cert} and {@code qkms serve --tls-cert/--tls-key}: the real AWS CLI ({@code
 * --ca-bundle}) and boto3 ({@code verify=}) verify the certificate and are served; without it they
 * refuse the server; serving another address than loopback needs TLS or --allow-plaintext.
 */
@Timeout(300)
class ServeTlsTest {
  @TempDir static Path dir;
  private static Path ks;
  private static Path cert;
  private static Path key;
  private static CliProcess.Result made;
  private static ServeProcess server;
  private static AwsClients clients;

  @BeforeAll
  static void start() throws Exception {
    ks = dir.resolve("ks");
    InProcess.init(ks);
    cert = dir.resolve("qkms.pem");
    key = dir.resolve("qkms.key");
    made =
        InProcess.qkms(
            Map.of(),
            "tls-cert",
            "--cert",
            cert.toString(),
            "--key",
            key.toString(),
            "--tls-san",
            "kms.internal");
    server = ServeProcess.start(ks, "--tls-cert", cert.toString(), "--tls-key", key.toString());
    clients = new AwsClients(dir, ks.resolve("credentials"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      assertThat(server.stop(), equalTo(143));
    }
  }

  @Test
  void tlsCert_writesTheKeyOwnerOnly_andSaysHowEachClientTrustsIt() throws Exception {
    assertThat(made.toString(), made.status(), equalTo(0));
    assertThat(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), equalTo("rw-------"));
    assertThat(made.stdout(), containsString("127.0.0.1, ::1, localhost, kms.internal"));
    assertThat(made.stdout(), containsString("--ca-bundle " + cert));
    assertThat(made.stdout(), containsString("verify=\"" + cert + "\""));
    assertThat(made.stdout(), containsString("keytool -importcert"));
  }

  @Test
  void tlsCert_neverOverwrites() {
    CliProcess.Result r =
        InProcess.qkms(
            Map.of(), "tls-cert", "--cert", cert.toString(), "--key", dir.resolve("k2").toString());

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(r.stderr(), containsString(cert + " exists; it is not overwritten"));
  }

  @Test
  void serve_isHttps() {
    assertThat(server.endpoint().toString(), startsWith("https://127.0.0.1:"));
  }

  @Test
  void awsCli_withTheCertificateAsCaBundle_isServed() throws Exception {
    Run r =
        clients.aws(
            server.endpoint(), Map.of(), "--ca-bundle", cert.toString(), "kms", "list-keys");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.stdout(), containsString("\"Keys\""));
  }

  @Test
  void awsCli_notTrustingTheCertificate_refusesTheServer() throws Exception {
    Run r = clients.aws(server.endpoint(), Map.of(), "kms", "list-keys");

    assertThat(r.toString(), r.status(), not(equalTo(0)));
    assertThat(r.stderr(), containsString("CERTIFICATE_VERIFY_FAILED"));
  }

  private static final String BOTO3 =
      """
      import sys
      import boto3

      endpoint, verify = sys.argv[1], sys.argv[2]
      kms = boto3.Session(profile_name="qkms").client(
          "kms", endpoint_url=endpoint, region_name="us-east-1",
          verify=None if verify == "default" else verify)
      try:
          print(len(kms.list_keys()["Keys"]))
      except Exception as e:
          print(type(e).__name__, e)
      """;

  @Test
  void boto3_verifyingWithTheCertificate_isServed() throws Exception {
    Run r = clients.python(BOTO3, Map.of(), server.endpoint().toString(), cert.toString());

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.stdout(), equalTo("0"));
  }

  @Test
  void boto3_notTrustingTheCertificate_refusesTheServer() throws Exception {
    Run r = clients.python(BOTO3, Map.of(), server.endpoint().toString(), "default");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.stdout(), startsWith("SSLError"));
    assertThat(r.stdout(), containsString("CERTIFICATE_VERIFY_FAILED"));
  }

  @Test
  void serveAnotherAddressWithoutTls_needsAllowPlaintext() {
    // Refused before anything binds.
    CliProcess.Result r =
        InProcess.qkms(Map.of(), "serve", "--keystore", ks.toString(), "--host", "0.0.0.0");

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(
        r.stderr(),
        containsString(
            "qkms: error: --host 0.0.0.0 is reachable from other machines: serve it with"
                + " --tls-cert and --tls-key"));
  }

  @Test
  void tlsCertWithoutKey_isAUsageError() {
    CliProcess.Result r =
        InProcess.qkms(
            Map.of(), "serve", "--keystore", ks.toString(), "--tls-cert", cert.toString());

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(
        r.stderr(), containsString("--tls-cert and --tls-key go together: give both, or neither"));
  }

  @Test
  void keyReadableByOthers_isRefused() throws Exception {
    Path open = dir.resolve("open.key");
    Files.copy(key, open);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

    CliProcess.Result r =
        InProcess.serveWithBadOptions(
            ks, "--tls-cert", cert.toString(), "--tls-key", open.toString());

    assertThat(r.toString(), r.status(), equalTo(255));
    assertThat(
        r.stderr(),
        anyOf(
            containsString("The key file " + open + " is accessible by others (rw-r--r--)"),
            containsString("chmod 600")));
  }
}
