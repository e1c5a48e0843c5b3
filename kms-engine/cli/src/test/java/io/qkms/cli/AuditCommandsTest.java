package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * {@code qkms audit verify} and {@code qkms audit query} over a trail written by a real {@code qkms
 * serve} (one per class) called by the AWS SDK; tampering is done on copies of the trail.
 */
@Timeout(180)
class AuditCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  static Path ks;
  static ServeProcess server;
  static String keyA;
  static String keyB;
  static String arnB;
  static Instant between; // after the first calls (CreateKey x2, Encrypt), before the rest

  @TempDir Path dir;

  @BeforeAll
  static void serveAndCall() throws Exception {
    ks = shared.resolve("ks");
    InProcess.init(ks);
    server = ServeProcess.start(ks);
    try (KmsClient kms = SdkClients.withProfile(server.endpoint(), ks.resolve("credentials"))) {
      keyA = kms.createKey(b -> b.description("a")).keyMetadata().keyId();
      var b = kms.createKey(r -> r.description("b")).keyMetadata();
      keyB = b.keyId();
      arnB = b.arn();
      SdkBytes blob =
          kms.encrypt(
                  r ->
                      r.keyId(keyA)
                          .plaintext(SdkBytes.fromUtf8String("hello"))
                          .encryptionContext(Map.of("k", "v")))
              .ciphertextBlob();
      Thread.sleep(20);
      between = Instant.now();
      Thread.sleep(20);
      kms.reEncrypt(
          r ->
              r.ciphertextBlob(blob)
                  .sourceEncryptionContext(Map.of("k", "v"))
                  .destinationKeyId(keyB)
                  .destinationEncryptionContext(Map.of("k", "v")));
      assertThrows(
          NotFoundException.class,
          () -> kms.describeKey(r -> r.keyId("11111111-2222-3333-4444-555555555555")));
      kms.describeKey(r -> r.keyId(keyB));
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  private static CliProcess.Result audit(String... args) {
    List<String> all = new ArrayList<>(List.of("audit"));
    all.addAll(List.of(args));
    return InProcess.qkms(Map.of(), all.toArray(String[]::new));
  }

  /** A copy of the server's trail (files, digests, head) to tamper with. */
  private Path copyOfTrail() throws IOException {
    Path copy = dir.resolve("audit-copy");
    Files.createDirectories(copy);
    try (Stream<Path> s = Files.list(ks.resolve("audit"))) {
      for (Path p : s.toList()) {
        Files.copy(p, copy.resolve(p.getFileName()));
      }
    }
    return copy;
  }

  private static Path onlyTrailFile(Path trail) throws IOException {
    try (Stream<Path> s = Files.list(trail)) {
      List<Path> files =
          s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
      assertThat("one trail file (the server's current one)", files, hasSize(1));
      return files.get(0);
    }
  }

  /** A copy of the trail whose (only) file's lines {@code edit} changed; returns that file. */
  private Path editedCopyOfTrail(Consumer<List<String>> edit) throws IOException {
    Path file = onlyTrailFile(copyOfTrail());
    List<String> lines = lines(file);
    edit.accept(lines);
    write(file, lines);
    return file;
  }

  private static List<String> lines(Path file) throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  /** Exit status 252 (bad usage), and standard error says {@code message}. */
  private static void assertUsageError(CliProcess.Result r, String message) {
    assertThat(r.toString(), r.status(), equalTo(Qkms.USAGE));
    assertThat(r.stderr(), containsString(message));
  }

  private CliProcess.Result verifyCopy(Path copy) {
    return audit("verify", "--keystore", ks.toString(), "--audit-dir", copy.toString());
  }

  // ---- verify --------------------------------------------------------------------------

  @Test
  void verify_trailWrittenByServe_isIntact_inItsOwnProcess() {
    CliProcess.Result r = CliProcess.qkms(Map.of(), "audit", "verify", "--keystore", ks.toString());
    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(
        r.out(),
        matchesPattern(
            "Verified 1 file\\(s\\), \\d+ line\\(s\\) in .*audit: chain, digests and head"
                + " intact\\."));
    long lines = Long.parseLong(r.out().replaceAll(".*file\\(s\\), (\\d+) line.*", "$1"));
    assertThat("init's and the calls' lines", lines >= 6, is(true));
  }

  @Test
  void verify_throughTheScript_tamperedTrail_exits1() throws IOException {
    Path file = editedCopyOfTrail(lines -> lines.remove(1));
    Path copy = file.getParent();

    CliProcess.Result r =
        CliProcess.script(
            ScriptLauncherTest.SCRIPT,
            Map.of("QKMS_KEYSTORE", ks.toString()),
            "audit",
            "verify",
            "--audit-dir",
            copy.toString());
    assertThat(r.toString(), r.status(), equalTo(1));
    assertThat(r.stderr(), containsString(file.getFileName() + ":2: 1 line(s) removed"));
  }

  @Test
  void verify_withTodayAsFromAndTo_checksTheDaysFiles() {
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    CliProcess.Result r =
        audit("verify", "--keystore", ks.toString(), "--from", today, "--to", today + "T23:59:59Z");
    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.out(), containsString("(days " + today + ".." + today + " UTC)"));
  }

  @Test
  void verify_editedLine_namesIt_exit1() throws IOException {
    Path file =
        editedCopyOfTrail(
            lines -> lines.set(1, lines.get(1).replace("\"eventName\":\"", "\"eventName\":\"X")));

    CliProcess.Result r = verifyCopy(file.getParent());
    assertThat(r.toString(), r.status(), equalTo(AuditCommands.NOT_INTACT));
    assertThat(r.stdout(), equalTo(""));
    assertThat(
        r.stderr(),
        allOf(containsString(file.getFileName() + ":2: changed"), containsString("not intact")));
    assertThat(r.stderr().strip().lines().count(), equalTo(1L));
  }

  @Test
  void verify_editedLastLine_isCaughtByTheSignedHead() throws IOException {
    Path file =
        editedCopyOfTrail(
            lines -> {
              int last = lines.size() - 1;
              lines.set(last, lines.get(last).replace("\"eventName\":\"", "\"eventName\":\"X"));
            });

    CliProcess.Result r = verifyCopy(file.getParent());
    assertThat(r.toString(), r.status(), equalTo(AuditCommands.NOT_INTACT));
    assertThat(r.stderr(), containsString(file.getFileName() + ":" + lines(file).size() + ": "));
  }

  @Test
  void verify_deletedLine_namesWhereLinesAreMissing() throws IOException {
    Path file = editedCopyOfTrail(lines -> lines.remove(2));

    CliProcess.Result r = verifyCopy(file.getParent());
    assertThat(r.toString(), r.status(), equalTo(AuditCommands.NOT_INTACT));
    assertThat(
        r.stderr(), containsString(file.getFileName() + ":3: 1 line(s) removed before this line"));
  }

  @Test
  void verify_insertedLine_namesIt() throws IOException {
    Path file = editedCopyOfTrail(lines -> lines.add(2, lines.get(1))); // line 2 replayed as 3

    CliProcess.Result r = verifyCopy(file.getParent());
    assertThat(r.toString(), r.status(), equalTo(AuditCommands.NOT_INTACT));
    assertThat(r.stderr(), containsString(file.getFileName() + ":3: inserted"));
  }

  @Test
  void verify_everyFileDeleted_butTheSignedHeadLeft_isNotIntact() throws IOException {
    Path copy = copyOfTrail();
    Files.delete(onlyTrailFile(copy));

    CliProcess.Result r = verifyCopy(copy);
    assertThat(r.toString(), r.status(), equalTo(AuditCommands.NOT_INTACT));
    assertThat(r.stderr(), containsString("lines removed at the end"));
  }

  @Test
  void verify_withAnotherStoresRootKey_failsTheHeadsHmac() throws IOException {
    Path other = dir.resolve("other");
    InProcess.init(other);
    CliProcess.Result r =
        audit("verify", "--keystore", other.toString(), "--audit-dir", copyOfTrail().toString());
    assertThat(r.toString(), r.status(), equalTo(AuditCommands.NOT_INTACT));
    assertThat(r.stderr(), containsString("fails its HMAC check"));
  }

  // ---- verify: bad input ---------------------------------------------------------------

  @Test
  void verify_badFrom_isAUsageError() {
    CliProcess.Result r = audit("verify", "--keystore", ks.toString(), "--from", "yesterday");
    assertUsageError(
        r,
        "Invalid value for --from: 'yesterday' (an ISO instant such as 2026-12-06T16:00:00Z,"
            + " or a date such as 2026-12-06)");
  }

  @Test
  void verify_fromAfterTo_isAUsageError() {
    CliProcess.Result r =
        audit("verify", "--keystore", ks.toString(), "--from", "2026-12-07", "--to", "2026-12-06");
    assertUsageError(r, "--from 2026-12-07 is after --to 2026-12-06");
  }

  @Test
  void verify_daysWithoutFiles_isAUsageError_notIntact() {
    CliProcess.Result r = audit("verify", "--keystore", ks.toString(), "--to", "2000-01-01");
    assertUsageError(r, "No audit file in ");
    assertThat(r.stdout(), equalTo(""));
  }

  @Test
  void verify_noSuchAuditDir_isAUsageError() {
    Path missing = dir.resolve("missing");
    CliProcess.Result r =
        audit("verify", "--keystore", ks.toString(), "--audit-dir", missing.toString());
    assertUsageError(r, "No audit trail directory " + missing);
  }

  @Test
  void verify_emptyAuditDir_isAUsageError() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    CliProcess.Result r =
        audit("verify", "--keystore", ks.toString(), "--audit-dir", empty.toString());
    assertUsageError(r, "No audit trail in " + empty + " (no audit-*.jsonl files)");
  }

  @Test
  void verify_noStore_isAFailure() throws IOException {
    Path notAStore = dir.resolve("nostore");
    Files.createDirectories(notAStore);
    CliProcess.Result r =
        audit(
            "verify", "--keystore", notAStore.toString(), "--audit-dir", copyOfTrail().toString());
    assertThat(r.toString(), r.status(), equalTo(Qkms.FAILURE));
    assertThat(r.stderr(), containsString("No QKMS key store in " + notAStore));
  }

  @Test
  void audit_withoutCommand_isAUsageError() {
    CliProcess.Result r = audit();
    assertUsageError(r, "qkms audit needs a command: verify or query");
  }

  // ---- query ---------------------------------------------------------------------------

  private static List<String[]> table(CliProcess.Result r) {
    assertThat(r.toString(), r.status(), equalTo(0));
    List<String> rows = r.out().lines().toList();
    assertThat(rows.get(0), matchesPattern("TIME +OPERATION +PRINCIPAL +KEY +ERROR"));
    return rows.stream().skip(1).map(l -> l.split(" {2,}")).toList();
  }

  /** The rows {@code qkms audit query} prints for the store's trail with these filters. */
  private static List<String[]> query(String... filters) {
    List<String> args = new ArrayList<>(List.of("query", "--keystore", ks.toString()));
    args.addAll(List.of(filters));
    return table(audit(args.toArray(String[]::new)));
  }

  private static List<String> operations(List<String[]> rows) {
    return rows.stream().map(c -> c[1]).toList();
  }

  @Test
  void query_byKeyId_listsTheCallsOnThatKey() {
    List<String[]> rows = query("--key", keyA);
    assertThat(operations(rows), equalTo(List.of("CreateKey", "Encrypt", "ReEncrypt")));
    for (String[] c : rows) {
      assertThat(c[0], matchesPattern("\\d{4}-\\d\\d-\\d\\dT.*Z"));
      assertThat(c[2], equalTo("arn:verenc:111122223333:root"));
      assertThat(c[3], containsString(":key/" + keyA));
      assertThat(c[4], equalTo("-"));
    }
  }

  @Test
  void query_byKeyArnAndSince_listsOnlyLaterCalls() {
    List<String[]> rows = query("--key", arnB, "--since", between.toString());
    assertThat(operations(rows), equalTo(List.of("ReEncrypt", "DescribeKey")));
  }

  @Test
  void query_refusedCall_showsItsErrorCode() {
    List<String[]> rows = query("--key", "11111111-2222-3333-4444-555555555555");
    assertThat(operations(rows), equalTo(List.of("DescribeKey")));
    assertThat(rows.get(0)[4], equalTo("NotFoundException"));
  }

  @Test
  void query_json_printsTheTrailsLines_filteredByOperation() throws IOException {
    CliProcess.Result r =
        audit("query", "--keystore", ks.toString(), "--operation", "ReEncrypt", "--json");
    assertThat(r.toString(), r.status(), equalTo(0));
    List<String> out = r.out().lines().toList();
    assertThat(out, hasSize(1));
    List<String> trail = lines(onlyTrailFile(ks.resolve("audit")));
    assertThat("the line as it is in the trail", trail, hasItem(out.get(0)));
    JsonNode e = JSON.readTree(out.get(0));
    assertThat(e.get("eventName").asText(), equalTo("ReEncrypt"));
    assertThat(e.get("additionalEventData").get("keyMaterialIds").size() >= 2, is(true));
  }

  @Test
  void query_sinceTheFuture_printsOnlyTheHeader() {
    assertThat(query("--since", "2999-01-01"), empty());
  }

  @Test
  void query_skipsAndNamesALineThatIsNotJson() throws IOException {
    Path copy = copyOfTrail();
    Path file = onlyTrailFile(copy);
    List<String> lines = lines(file);
    lines.set(0, "{garbage");
    write(file, lines);
    CliProcess.Result r =
        audit("query", "--keystore", ks.toString(), "--audit-dir", copy.toString(), "--json");
    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.stderr(), containsString(file.getFileName() + ":1 is not a JSON line, skipped"));
    assertThat(r.out().lines().toList(), hasSize(lines.size() - 1));
    assertThat(r.out().lines().toList(), everyItem(not(containsString("garbage"))));
  }

  @Test
  void query_badInputs_areUsageErrors() {
    for (String[] args :
        List.of(
            new String[] {"--since", "last week"},
            new String[] {"--operation", "Frobnicate"},
            new String[] {"--audit-dir", dir.resolve("nope").toString()})) {
      List<String> all = new ArrayList<>(List.of("query", "--keystore", ks.toString()));
      all.addAll(Arrays.asList(args));
      CliProcess.Result r = audit(all.toArray(String[]::new));
      assertThat(r.toString(), r.status(), equalTo(Qkms.USAGE));
      assertThat(r.stderr(), containsString("qkms: error: "));
      assertThat(r.stderr(), containsString(args[1]));
    }
  }
}
