package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.sun.net.httpserver.HttpServer;
import io.qkms.engine.api.Principal;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Launcher;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.QkmsServe;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.worker.remote.RemoteClients;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The job through {@code qkms serve --tls-cert/--tls-key} ({@code --kmsEndpoint=https://...}),
 * verifying the certificate: trusted through {@code --kmsCaBundle} (the certificate {@code qkms
 * tls-cert} wrote), the records are re-keyed; a certificate the workers do not trust (the JVM's
 * trust store, or a bundle of another certificate), one that does not name the host, or a plain
 * HTTP server behind an https URL stop the run at the checks before it (exit 2, nothing written),
 * saying which.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class RemoteKmsTlsTest {
  Path dir;
  Samples samples;
  Path cert;
  Path otherCert;
  QkmsServe server;
  QkmsServe wrongHostServer;

  @BeforeAll
  void startTheEndpoints() throws Exception {
    dir = Files.createTempDirectory("qkms-remote-tls-");
    samples = Samples.at(dir.resolve("samples"));
    samples.init();
    Path credentials = dir.resolve("credentials");
    QkmsServe.credentials(samples.keystore(), Principal.root(Samples.ACCOUNT), credentials);
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.profile", "qkms");
    cert = dir.resolve("qkms.pem");
    otherCert = dir.resolve("other.pem");
    tlsCert(cert, dir.resolve("qkms.key"));
    certificateFor("localhost", otherCert, dir.resolve("other.key"));
    server =
        QkmsServe.start(
            samples.keystore(),
            List.of(
                "--tls-cert", cert.toString(), "--tls-key", dir.resolve("qkms.key").toString()));
    Path wrongCert = dir.resolve("wrong-host.pem");
    Path wrongKey = dir.resolve("wrong-host.key");
    certificateFor("kms.elsewhere.test", wrongCert, wrongKey);
    wrongHostServer =
        QkmsServe.start(
            samples.keystore(),
            List.of("--tls-cert", wrongCert.toString(), "--tls-key", wrongKey.toString()));
  }

  /** {@code scripts/qkms tls-cert}, as a user makes the certificate. */
  private void tlsCert(Path certFile, Path keyFile) {
    Launcher.Result r =
        Launcher.run(
            "qkms",
            List.of("tls-cert", "--cert", certFile.toString(), "--key", keyFile.toString()),
            Map.of("JAVA_HOME", Launcher.thisJavaHome()),
            dir,
            Duration.ofMinutes(10));
    assertThat(r.toString(), r.exitCode(), is(0));
  }

  /** A self-signed certificate naming only {@code host} (qkms tls-cert always adds loopback). */
  private static void certificateFor(String host, Path certFile, Path keyFile) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    X500Name name = new X500Name("CN=" + host);
    Instant now = Instant.now();
    X509CertificateHolder c =
        new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))),
                name,
                pair.getPublic())
            .addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, host)))
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
    pem(certFile, c);
    pem(keyFile, new JcaPKCS8Generator(pair.getPrivate(), null));
    Files.setPosixFilePermissions(
        keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  private static void pem(Path file, Object o) throws IOException {
    try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(file))) {
      w.writeObject(o);
    }
  }

  @AfterAll
  void stopAndCleanUp() throws IOException {
    System.clearProperty("aws.sharedCredentialsFile");
    System.clearProperty("aws.profile");
    for (QkmsServe s : new QkmsServe[] {server, wrongHostServer}) {
      if (s != null) {
        s.close();
      }
    }
    TestDirs.deleteTree(dir);
    assertThat("KMS clients left open", RemoteClients.openClients(), is(0));
  }

  JobRun job(String endpoint, Path output, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--input=" + samples.data("customers.jsonl"),
                "--output=" + output,
                "--runner=DirectRunner",
                "--kmsEndpoint=" + endpoint,
                "--region=us-east-1",
                "--fields=" + Samples.FIELDS,
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--sourceEncryptionContext=" + Samples.TENANT_CONTEXT,
                "--destinationEncryptionContext=" + Samples.TENANT_CONTEXT));
    a.addAll(List.of(more));
    return JobRun.echoed(a);
  }

  /** Exit 2 from the checks, and nothing written. */
  private static void refusedBeforeAnythingRuns(JobRun r, Path output) {
    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(r.out(), Files.exists(output), is(false));
  }

  /**
   * Also the JSON Lines samples on the Direct runner through an endpoint (the Avro ones on Flink
   * are {@link RemoteKmsEndToEndTest}'s): the same outcomes as with a key store.
   */
  @Test
  void trustedThroughTheCaBundle_reKeysEveryGoodRecord() throws IOException {
    Path out = dir.resolve("trusted");

    JobRun r = job(server.endpoint(), out, "--kmsCaBundle=" + cert);

    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport report = r.outcome().report();
    assertThat(report.read(), is(204L));
    assertThat(report.written(), is(200L));
    assertThat(report.committedCountsMatch(), is(true));
    // Every ciphertext of the good records and of the bad ones that are sent, once.
    assertThat(report.kmsRequests(), is(RemoteKmsEndToEndTest.expectedCalls()));
    assertThat(report.deadLettersByCode().get("DisabledException"), is(1L));
    List<String> lines = Outputs.lines(out);
    assertThat(lines.size(), is(200));
    assertThat(String.join("\n", lines), not(containsString("PLAINTEXT-")));
    // The bundle is named by its path; the certificate itself is not in the report.
    String json = Files.readString(out.resolve("report.json"));
    assertThat(json, containsString(cert.toString()));
    assertThat(json, not(containsString("BEGIN CERTIFICATE")));
  }

  @Test
  void certificateNotInTheJvmTrustStore_exit2_sayingHowToTrustIt() {
    Path out = dir.resolve("untrusted-default");

    JobRun r = job(server.endpoint(), out);

    refusedBeforeAnythingRuns(r, out);
    assertThat(
        r.out(),
        containsString(
            "--kmsEndpoint "
                + server.endpoint()
                + ": its TLS certificate is not signed by a certificate in the JVM's trust store"
                + " (give --kmsCaBundle=FILE"));
  }

  @Test
  void caBundleOfAnotherCertificate_exit2_namingTheBundle() {
    Path out = dir.resolve("untrusted-bundle");

    JobRun r = job(server.endpoint(), out, "--kmsCaBundle=" + otherCert);

    refusedBeforeAnythingRuns(r, out);
    assertThat(
        r.out(),
        containsString(
            ": its TLS certificate is not signed by a certificate in --kmsCaBundle " + otherCert));
  }

  @Test
  void certificateNotNamingTheHost_exit2_namingTheHost() throws Exception {
    Path bundle = dir.resolve("wrong-host.pem");
    Path out = dir.resolve("wrong-host");

    JobRun r = job(wrongHostServer.endpoint(), out, "--kmsCaBundle=" + bundle);

    refusedBeforeAnythingRuns(r, out);
    assertThat(
        r.out(),
        containsString(
            "--kmsEndpoint "
                + wrongHostServer.endpoint()
                + ": its TLS certificate does not name 127.0.0.1"));
  }

  @Test
  void httpsUrlToAPlainHttpServer_exit2_theHandshakeFailed() throws IOException {
    // Any plain HTTP server will do: it answers the TLS hello with a 400 and closes.
    HttpServer plain = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    plain.start();
    try {
      Path out = dir.resolve("https-to-plain");
      String endpoint = "https://127.0.0.1:" + plain.getAddress().getPort();

      JobRun r = job(endpoint, out, "--kmsCaBundle=" + cert);

      refusedBeforeAnythingRuns(r, out);
      assertThat(
          r.out(),
          containsString(
              "--kmsEndpoint " + endpoint + ": the TLS handshake failed (does it serve HTTPS"));
    } finally {
      plain.stop(0);
    }
  }

  @Test
  void caBundleThatIsNoCertificate_orWithPlainHttp_exit2() throws IOException {
    Path notPem = dir.resolve("not-a-bundle.txt");
    Files.writeString(notPem, "hello\n");

    JobRun noCert = job(server.endpoint(), dir.resolve("bad-bundle"), "--kmsCaBundle=" + notPem);
    JobRun missing =
        job(server.endpoint(), dir.resolve("no-bundle"), "--kmsCaBundle=" + dir.resolve("nope"));
    JobRun http =
        job(
            server.endpoint().replace("https:", "http:"),
            dir.resolve("http-bundle"),
            "--kmsCaBundle=" + cert);

    refusedBeforeAnythingRuns(noCert, dir.resolve("bad-bundle"));
    assertThat(noCert.out(), containsString("--kmsCaBundle " + notPem + " holds no"));
    refusedBeforeAnythingRuns(missing, dir.resolve("no-bundle"));
    assertThat(missing.out(), containsString("is not a readable file"));
    refusedBeforeAnythingRuns(http, dir.resolve("http-bundle"));
    assertThat(http.out(), containsString("is not https"));
    assertThat(http.out(), not(containsString("Exception")));
  }
}
