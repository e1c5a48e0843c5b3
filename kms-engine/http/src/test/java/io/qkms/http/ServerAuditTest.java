package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerAuditTest {
  private static final byte[] KEY = new byte[32];
  private static final String SECRET = "top-secret-plaintext-0123456789";

  @TempDir Path tmp;

  private TestEndpoint start(Path dir, ApiAudit.Failure failure) throws Exception {
    AuditTrail trail =
        AuditTrail.open(dir, KEY, Clock.systemUTC(), AuditTrail.DEFAULT_MAX_FILE_BYTES);
    return TestEndpoint.start(Clock.systemUTC(), b -> b.audit(trail, failure));
  }

  private static String trailText(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".jsonl"))
          .sorted()
          .map(
              p -> {
                try {
                  return Files.readString(p);
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              })
          .collect(Collectors.joining());
    }
  }

  @Test
  void everyCallAllowedOrRefusedIsRecordedWithoutPlaintextsOrBlobs() throws Exception {
    Path dir = tmp.resolve("audit");
    try (TestEndpoint e = start(dir, ApiAudit.Failure.REFUSE)) {
      String keyId =
          e.call("CreateKey", "{}").body().replaceAll(".*\"KeyId\":\"([^\"]+)\".*", "$1");
      String plaintext = Base64.getEncoder().encodeToString(SECRET.getBytes());
      String enc =
          e.call(
                  "Encrypt",
                  "{\"KeyId\":\""
                      + keyId
                      + "\",\"Plaintext\":\""
                      + plaintext
                      + "\",\"EncryptionContext\":{\"Dept\":\"Finance\"}}")
              .body();
      String blob = enc.replaceAll(".*\"CiphertextBlob\":\"([^\"]+)\".*", "$1");
      assertThat(
          e.call(
                  "Decrypt",
                  "{\"CiphertextBlob\":\""
                      + blob
                      + "\",\"EncryptionContext\":{\"Dept\":\"Finance\"}}")
              .statusCode(),
          is(200));
      assertThat(
          e.send(
                  e.signed(
                      "Encrypt",
                      "{\"GrantTokens\":[\"tok-secret\"]}".getBytes(),
                      e.rootKey,
                      "us-east-1"))
              .statusCode(),
          is(400));
      String text = trailText(dir);
      assertThat(text, containsString("\"eventName\":\"Decrypt\""));
      assertThat(text, containsString("\"Dept\":\"Finance\""));
      assertThat(text, containsString("\"keyMaterialIds\""));
      assertThat(text, containsString("\"principalArn\":\"" + TestEndpoint.ROOT.arn() + "\""));
      assertThat(text, containsString("\"errorCode\":\"ValidationException\""));
      assertThat(text, not(containsString(plaintext)));
      assertThat(text, not(containsString(blob)));
      assertThat(text, not(containsString("tok-secret")));
      assertThat(text, not(containsString(e.rootKey.secretAccessKey())));
      assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
    }
  }

  @Test
  void anAuditDirectoryThatBecameAFileRefusesCallsOrIsLogged() throws Exception {
    Path refuseDir = tmp.resolve("refuse");
    try (TestEndpoint e = start(refuseDir, ApiAudit.Failure.REFUSE)) {
      assertThat(e.call("ListKeys", "{}").statusCode(), is(200));
      breakDirectory(refuseDir);
      var r = e.call("ListKeys", "{}");
      assertThat(r.statusCode(), is(500));
      assertThat(r.body(), containsString("KMSInternalException"));
      assertThat(r.body(), not(containsString(refuseDir.toString())));
      assertThat(e.call("CreateKey", "{}").statusCode(), is(500));
    }
    Path logDir = tmp.resolve("log");
    try (TestEndpoint e = start(logDir, ApiAudit.Failure.LOG)) {
      breakDirectory(logDir);
      assertThat(e.call("ListKeys", "{}").statusCode(), is(200));
    }
  }

  /** Removed and replaced by a file: fails even for root, where a read-only mode would not. */
  private static void breakDirectory(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
    Files.writeString(dir, "not a directory");
  }
}
