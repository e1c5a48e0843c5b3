package io.qkms.cli;

import io.qkms.http.tls.SelfSignedCertificate;
import io.qkms.http.tls.TlsMaterialException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ParseResult;

/**
 * {@code qkms tls-cert}: a self-signed certificate and key for {@code qkms serve
 * --tls-cert/--tls-key}, and how each client trusts it. Uses only {@code io.qkms.http.tls}, which
 * has no Jetty.
 */
final class TlsCert {
  private TlsCert() {}

  static int run(Invocation inv, ParseResult sub) {
    String cert = Invocation.value(sub, "--cert", null);
    String key = Invocation.value(sub, "--key", null);
    if (cert == null || key == null) {
      throw new UsageException("tls-cert needs --cert FILE and --key FILE");
    }
    List<String> names = sub.matchedOptionValue("--tls-san", List.of());
    String daysText = Invocation.value(sub, "--days", "365");
    int days;
    try {
      days = Integer.parseInt(daysText.strip());
    } catch (NumberFormatException e) {
      days = 0;
    }
    if (days < 1 || days > 3650) {
      throw new UsageException(
          "Invalid value for --days: '" + daysText + "' (a whole number of days, 1 to 3650)");
    }
    Path certFile = Path.of(cert);
    Path keyFile = Path.of(key);
    X509Certificate c;
    try {
      c =
          SelfSignedCertificate.write(
              certFile, keyFile, names, Duration.ofDays(days), Instant.now());
    } catch (TlsMaterialException e) {
      throw new UsageException(e.getMessage());
    } catch (IOException e) {
      throw new CommandFailedException("cannot write the certificate: " + e.getMessage(), e);
    }
    List<String> all = new ArrayList<>(SelfSignedCertificate.LOOPBACK_NAMES);
    all.addAll(names);
    print(inv.out, certFile, keyFile, all, c);
    return Qkms.OK;
  }

  private static void print(
      PrintStream out, Path cert, Path key, List<String> names, X509Certificate c) {
    String host =
        names.size() > SelfSignedCertificate.LOOPBACK_NAMES.size()
            ? names.get(SelfSignedCertificate.LOOPBACK_NAMES.size())
            : "127.0.0.1";
    String endpoint = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":8471";
    out.println("Wrote " + cert + " (a certificate for " + String.join(", ", names) + ")");
    out.println("  valid until " + c.getNotAfter().toInstant());
    out.println("and " + key + " (its private key, mode 0600: keep it secret).");
    out.println();
    out.println("Serve with it:");
    out.println("  qkms serve --tls-cert " + cert + " --tls-key " + key);
    out.println();
    out.println("Clients trust the certificate file itself:");
    out.println(
        "  AWS CLI:  aws --endpoint-url " + endpoint + " --ca-bundle " + cert + " kms list-keys");
    out.println("            (or export AWS_CA_BUNDLE=" + cert + ")");
    out.println(
        "  boto3:    boto3.client(\"kms\", endpoint_url=\""
            + endpoint
            + "\", verify=\""
            + cert
            + "\")");
    out.println("  AWS SDK for Java v2: a trust store holding it,");
    out.println(
        "            keytool -importcert -noprompt -alias qkms -file "
            + cert
            + " -keystore qkms-trust.p12 -storepass changeit");
    out.println(
        "            then -Djavax.net.ssl.trustStore=qkms-trust.p12"
            + " -Djavax.net.ssl.trustStorePassword=changeit");
    out.flush();
  }
}
