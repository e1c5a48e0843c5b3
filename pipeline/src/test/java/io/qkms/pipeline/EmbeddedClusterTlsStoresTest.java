package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key store and trust store a run makes for its embedded Flink cluster, read back by the JDK as
 * Flink reads them, and used for a mutual TLS handshake with the cluster's cipher suites.
 */
class EmbeddedClusterTlsStoresTest {
  @TempDir static Path dir;
  static EmbeddedClusterTls tls;

  @BeforeAll
  static void stores() {
    tls = EmbeddedClusterTls.create(dir);
  }

  @Test
  void theKeyStore_holdsTheKeyAndItsCertificate_forLoopbackNames() throws Exception {
    KeyStore keys = load(tls.keyStore(), tls.password());
    assertThat(List.copyOf(java.util.Collections.list(keys.aliases())), contains("flink"));
    assertThat(keys.isKeyEntry("flink"), is(true));
    assertThat(keys.getKey("flink", tls.password().toCharArray()), instanceOf(ECPrivateKey.class));
    X509Certificate cert = (X509Certificate) keys.getCertificateChain("flink")[0];
    assertThat(
        cert.getSubjectAlternativeNames().stream().map(n -> n.get(1)).toList(),
        contains("127.0.0.1", "localhost"));
  }

  @Test
  void theTrustStore_holdsTheSameCertificate_asATrustedEntry() throws Exception {
    KeyStore trust = load(tls.trustStore(), tls.password());
    assertThat(trust.isCertificateEntry("flink"), is(true));
    assertThat(
        trust.getCertificate("flink"),
        equalTo(load(tls.keyStore(), tls.password()).getCertificate("flink")));
  }

  @Test
  void eitherStore_withAnotherPassword_doesNotOpen() {
    for (Path store : List.of(tls.keyStore(), tls.trustStore())) {
      assertThrows(IOException.class, () -> load(store, tls.password() + "x"), store.toString());
    }
  }

  @Test
  void twoPeersWithTheStores_completeAMutualTlsHandshake_onTheClustersCipherSuites()
      throws Exception {
    SSLContext context = context();
    String[] suites = EmbeddedClusterTls.CIPHER_SUITES.split(",");
    try (SSLServerSocket server =
        (SSLServerSocket) context.getServerSocketFactory().createServerSocket()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      server.setNeedClientAuth(true);
      server.setEnabledCipherSuites(suites);
      server.setSoTimeout(10_000);
      CompletableFuture<Integer> served =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  s.setSoTimeout(10_000);
                  InputStream in = s.getInputStream();
                  int b = in.read();
                  s.getOutputStream().write(b + 1);
                  return b;
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      try (SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket()) {
        client.setEnabledCipherSuites(suites);
        client.connect(server.getLocalSocketAddress(), 10_000);
        client.setSoTimeout(10_000);
        client.getOutputStream().write(41);
        assertThat(client.getInputStream().read(), is(42));
        assertThat(client.getSession().getPeerCertificates().length, is(1));
      }
      assertThat(served.get(10, TimeUnit.SECONDS), is(41));
    }
  }

  private static SSLContext context() throws GeneralSecurityException, IOException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(load(tls.keyStore(), tls.password()), tls.password().toCharArray());
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(tls.trustStore(), tls.password()));
    SSLContext context = SSLContext.getInstance("TLSv1.2"); // Flink's default security.ssl.protocol
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /** Opens a store as Flink does: the JDK's default key store type, with the password. */
  private static KeyStore load(Path file, String password)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }
}
