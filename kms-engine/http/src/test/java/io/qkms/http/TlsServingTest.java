package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.http.tls.SelfSignedCertificate;
import io.qkms.http.tls.TlsMaterial;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * {@code QkmsHttpServer} with TLS, from a certificate {@link SelfSignedCertificate} made: the AWS
 * SDK for Java v2 verifying it against a trust store, a client that does not trust it failing the
 * handshake, plain HTTP to the port left unanswered, a handshake never finished closed at the
 * authentication deadline.
 */
@Timeout(60)
class TlsServingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(3);

  @TempDir static Path dir;
  private static Path certificate;
  private static TestEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    certificate = dir.resolve("server.pem");
    Path key = dir.resolve("server.key");
    SelfSignedCertificate.write(
        certificate, key, List.of("qkms.test"), Duration.ofDays(1), Instant.now());
    TlsMaterial tls = TlsMaterial.readPem(certificate, key, Instant.now());
    endpoint =
        TestEndpoint.start(Clock.systemUTC(), b -> b.tls(tls).authenticationDeadline(DEADLINE));
  }

  @AfterAll
  static void stop() throws Exception {
    endpoint.close();
  }

  private static KeyStore trustStore() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      ks.setCertificateEntry(
          "qkms", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    return ks;
  }

  private static KmsClient sdk(UrlConnectionHttpClient.Builder http) {
    return KmsClient.builder()
        .endpointOverride(endpoint.server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    endpoint.rootKey.accessKeyId(), endpoint.rootKey.secretAccessKey())))
        .httpClientBuilder(http)
        .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
        .build();
  }

  @Test
  void endpoint_isHttps() {
    assertThat(endpoint.server.endpoint().toString(), startsWith("https://127.0.0.1:"));
  }

  @Test
  void sdkV2_trustingTheCertificate_isServed() throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore());
    try (KmsClient kms =
        sdk(UrlConnectionHttpClient.builder().tlsTrustManagersProvider(tmf::getTrustManagers))) {
      String keyId = kms.createKey().keyMetadata().keyId();

      assertThat(kms.describeKey(r -> r.keyId(keyId)).keyMetadata().keyId(), equalTo(keyId));
    }
  }

  @Test
  void sdkV2_notTrustingTheCertificate_failsTheHandshake() {
    try (KmsClient kms = sdk(UrlConnectionHttpClient.builder())) {
      SdkClientException e = assertThrows(SdkClientException.class, kms::listKeys);

      assertThat(cause(e, SSLHandshakeException.class), instanceOf(SSLHandshakeException.class));
      assertThat(rootCause(e), instanceOf(CertPathBuilderException.class));
    }
  }

  @Test
  void javaHttpClient_trustingTheCertificate_getsTls13() throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket s =
        (SSLSocket)
            ssl.getSocketFactory()
                .createSocket(
                    new Socket("127.0.0.1", endpoint.server.port()),
                    "127.0.0.1",
                    endpoint.server.port(),
                    true)) {
      s.startHandshake();

      assertThat(s.getSession().getProtocol(), equalTo("TLSv1.3"));
      X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(served.getSubjectAlternativeNames().toString(), containsString("qkms.test"));
    }
  }

  /** A TLS socket to the server that checks the certificate names {@code host}, as HTTPS does. */
  private static SSLSocket verifyingHost(String host) throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    SSLSocket s =
        (SSLSocket)
            ssl.getSocketFactory()
                .createSocket(
                    new Socket("127.0.0.1", endpoint.server.port()),
                    host,
                    endpoint.server.port(),
                    true);
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    return s;
  }

  @Test
  void clientCheckingTheHostName_acceptsANameInTheCertificate() throws Exception {
    try (SSLSocket s = verifyingHost("qkms.test")) {
      s.startHandshake();

      assertThat(s.getSession().getPeerHost(), equalTo("qkms.test"));
    }
  }

  @Test
  void clientCheckingTheHostName_refusesAWrongHost() throws Exception {
    try (SSLSocket s = verifyingHost("wrong.example")) {
      SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);

      assertThat(
          rootCause(e).getMessage(),
          containsString("No subject alternative DNS name matching wrong.example found"));
    }
  }

  @Test
  void cbcCipherSuite_isRefused() throws Exception {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, null, null);
    try (SSLSocket s =
        (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", endpoint.server.port())) {
      s.setEnabledProtocols(new String[] {"TLSv1.2"});
      // Enabled in the JDK's client, not among the server's AEAD suites.
      s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});

      assertThrows(SSLHandshakeException.class, s::startHandshake);
    }
  }

  @Test
  void plainHttpToTheTlsPort_getsNoApiAnswer() throws Exception {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", endpoint.server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(RawHttp.signedHead(endpoint, "ListKeys", body, Instant.now(), false));
      s.getOutputStream().write(body);
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      try {
        s.getInputStream().transferTo(got);
      } catch (SocketException e) {
        // reset after the handshake failed
      }
      String answer = got.toString(StandardCharsets.ISO_8859_1);

      assertThat(answer, not(containsString("HTTP/1.1")));
      assertThat(answer, not(containsString("__type")));
      assertThat(answer, not(containsString("Keys")));
    }
  }

  @Test
  void javaHttpClientWithTheDefaultTrust_failsTheHandshake() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest r =
        HttpRequest.newBuilder(URI.create(endpoint.server.endpoint() + "/"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();

    IOException e =
        assertThrows(IOException.class, () -> http.send(r, HttpResponse.BodyHandlers.ofString()));
    assertThat(e, instanceOf(SSLHandshakeException.class));
  }

  @Test
  void handshakeNeverFinished_isClosedAtTheAuthenticationDeadline() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", endpoint.server.port()), 5000);
      s.setSoTimeout((int) DEADLINE.plusSeconds(10).toMillis());
      s.getOutputStream().write(0x16); // the first byte of a TLS record, then nothing
      s.getOutputStream().flush();
      long start = System.nanoTime();
      int read;
      try {
        read = s.getInputStream().read();
      } catch (SocketException e) {
        read = -1;
      }
      long elapsed = System.nanoTime() - start;

      assertThat(read, equalTo(-1));
      assertThat(elapsed, lessThan(DEADLINE.plusSeconds(5).toNanos()));
    }
  }

  private static Throwable cause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return c;
      }
    }
    return t;
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
