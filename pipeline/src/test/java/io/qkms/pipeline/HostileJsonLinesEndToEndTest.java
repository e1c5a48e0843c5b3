package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.deadletter.ErrorCodes;
import io.qkms.pipeline.read.LosslessUtf8;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * JSON Lines input that a careless reader changes, splits or reads two ways, through the whole job
 * on one runner (the subclasses pick it): bytes that are not UTF-8, CRLF and lone CR, a byte-order
 * mark, duplicate members, the parser's limits, a last line without a newline. Every line the job
 * writes must be its input line byte for byte except for the ciphertext strings, every dead letter
 * must carry its input line byte for byte, and a replay of the dead letters must write them
 * unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HostileJsonLinesEndToEndTest {
  static final String CONTEXT = "{\"tenant\":\"${tenant_id}\"}";
  static final byte E9 = (byte) 0xE9; // é in Latin-1: not UTF-8 on its own
  static final int HUGE = 21_000_000; // characters: above Jackson's 20,000,000 string limit

  Path dir;
  Samples samples;
  Path input;

  /** The input lines by id, as bytes, without their \n. */
  final Map<String, byte[]> lines = new LinkedHashMap<>();

  Path run;
  ReKeyJob.Outcome outcome;
  Path replay;
  ReKeyJob.Outcome replayed;

  /** The runner's options, e.g. {@code --runner=DirectRunner}. */
  abstract List<String> runnerArgs();

  /** Whether the input has a line with a string beyond the parser's limit (21 MB). */
  boolean withAStringBeyondTheLimit() {
    return true;
  }

  /** The dead letters expected: id -> errorCode, fieldPath, message. */
  Map<String, List<String>> deadLetters;

  @BeforeAll
  void runTheJobOnHostileLines_thenReplayItsDeadLetters() throws IOException {
    dir = Files.createTempDirectory("qkms-hostile-");
    samples = Samples.made(dir.resolve("samples"));
    input = Files.createDirectories(dir.resolve("in"));
    writeInput();
    deadLetters = new TreeMap<>(DEAD_LETTERS);
    if (!withAStringBeyondTheLimit()) {
      deadLetters.remove("huge-ciphertext");
    }

    run = dir.resolve("run");
    outcome = job(List.of("--input=" + input, "--output=" + run));
    samples.enableKey(Samples.DISABLED_KEY);
    replay = dir.resolve("replay");
    replayed =
        job(
            List.of(
                "--replayDeadLetters=" + run.resolve("dead-letter"),
                "--output=" + replay,
                // Most of the dead letters fail again, as they should here.
                "--maxDeadLetterFraction=1"));
  }

  @AfterAll
  void cleanUp() throws IOException {
    TestDirs.deleteTree(dir);
  }

  ReKeyJob.Outcome job(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(
        List.of(
            "--keystore=" + samples.keystore(),
            "--fields=" + Samples.FIELDS,
            "--destinationKeyId=" + Samples.NEW_KEY,
            "--sourceEncryptionContext=" + CONTEXT,
            "--destinationEncryptionContext=" + CONTEXT));
    all.addAll(runnerArgs());
    return JobRun.echoed(all).outcome();
  }

  // ---- the input ---------------------------------------------------------------------------

  static byte[] bytes(Object... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof byte[] raw) {
        b.writeBytes(raw);
      } else if (p instanceof Byte one) {
        b.write(one);
      } else {
        b.writeBytes(p.toString().getBytes(StandardCharsets.UTF_8));
      }
    }
    return b.toByteArray();
  }

  /** The sample line of customer {@code id}, with the id changed and members put in front. */
  byte[] variant(String sampleId, String newId, Object... membersInFront) throws IOException {
    String line = sampleLine(sampleId);
    String rest = line.substring(line.indexOf(',') + 1); // after "id":"..."
    List<Object> parts = new ArrayList<>();
    parts.add("{\"id\":\"" + newId + "\",");
    parts.addAll(Arrays.asList(membersInFront));
    parts.add(rest);
    return bytes(parts.toArray());
  }

  String sampleLine(String id) throws IOException {
    for (String l : Files.readAllLines(samples.data("customers.jsonl"))) {
      if (l.startsWith("{\"id\":\"" + id + "\",")) {
        return l;
      }
    }
    throw new IllegalArgumentException("No sample customer " + id);
  }

  void writeInput() throws IOException {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    int i = 0;
    for (String l : Files.readAllLines(samples.data("customers.jsonl"))) {
      if (l.startsWith("{\"id\":\"cust-")) {
        add(a, l.getBytes(StandardCharsets.UTF_8), i++ % 2 == 0 ? "\r\n" : "\n");
      }
    }
    String cust0 = sampleLine("cust-0");
    String tenant = DeadLetterFiles.parseJsonLine(cust0).get("tenant_id").asText();
    add(a, variant("cust-0", "latin1", "\"nickname\":\"Jos", E9, "\","), "\r\n");
    add(a, variant("cust-1", "cr-between-members", "\"a\":1,\r"), "\n");
    add(a, variant("cust-2", "cr-in-a-string", "\"nickname\":\"a\rb\","), "\n");
    add(a, variant("cust-3", "byte-outside-strings", E9, " "), "\n");
    String dupCard = cust0.replaceFirst("(\"number\":\"[^\"]+\")", "$1,$1");
    add(a, bytes(dupCard.replace("\"cust-0\"", "\"duplicate-ciphertext\"")), "\n");
    add(a, variant("cust-0", "duplicate-reference", "\"tenant_id\":\"" + tenant + "\","), "\n");
    add(a, variant("cust-4", "deep", "\"x\":", "[".repeat(1001), "]".repeat(1001), ","), "\n");
    String hugeCard =
        cust0.replaceFirst(
            "\"number\":\"[^\"]+\"", "\"number\":\"" + "QUJD".repeat(HUGE / 4) + "\"");
    if (withAStringBeyondTheLimit()) {
      add(a, bytes(hugeCard.replace("\"cust-0\"", "\"huge-ciphertext\"")), "\n");
    }
    // Far larger than the reader's buffer, but below the parser's limit (see JsonLineAccessorTest
    // for one above it, which also passes through, not being read).
    add(a, variant("cust-5", "big-untouched", "\"blob\":\"", "-".repeat(2_000_000), "\","), "\n");
    String[] aroundTenant = cust0.split(Pattern.quote("\"tenant_id\":\"" + tenant + "\""), 2);
    add(
        a,
        bytes(
            aroundTenant[0].replace("\"cust-0\"", "\"latin1-tenant\""),
            "\"tenant_id\":\"" + tenant,
            E9, // the tenant's last character, in Latin-1
            "\"",
            aroundTenant[1]),
        "\n");
    add(a, variant("bad-disabled-3", "bad-disabled-3", "\"nickname\":\"Jos", E9, "\","), "");
    Files.write(input.resolve("a.jsonl"), a.toByteArray()); // its last line has no \n

    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // not part of the line
    add(b, variant("cust-6", "after-a-bom", ""), "\n");
    Files.write(input.resolve("b.jsonl"), b.toByteArray());
  }

  void add(ByteArrayOutputStream file, byte[] line, String end) {
    file.writeBytes(line);
    file.writeBytes(end.getBytes(StandardCharsets.US_ASCII));
    byte[] kept = end.startsWith("\r") ? bytes(line, "\r") : line;
    lines.put(idOf(kept), kept);
  }

  private static final Pattern ID = Pattern.compile("^\\{\"id\":\"([^\"]+)\"");

  static String idOf(byte[] line) {
    Matcher m = ID.matcher(latin1(line.length > 100 ? Arrays.copyOf(line, 100) : line));
    if (!m.find()) {
      throw new IllegalArgumentException("A line without an id");
    }
    return m.group(1);
  }

  /** A char a byte: byte-exact comparisons read well as strings. */
  static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** The lines of the part files in {@code dir}, as bytes, each ending with \n (checked). */
  static List<byte[]> partLines(Path dir) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (Path p : Outputs.parts(dir)) {
      byte[] all = Files.readAllBytes(p);
      int start = 0;
      for (int i = 0; i < all.length; i++) {
        if (all[i] == '\n') {
          out.add(Arrays.copyOfRange(all, start, i));
          start = i + 1;
        }
      }
      assertThat("a part file ends with \\n", start, is(all.length));
    }
    return out;
  }

  /** The line with every long base64 string (the ciphertexts) blanked out. */
  static String withoutCiphertexts(byte[] line) {
    return latin1(line).replaceAll("\"[A-Za-z0-9+/]{40,}={0,2}\"", "\"<ct>\"");
  }

  static final List<String> WRITTEN =
      List.of("latin1", "cr-between-members", "big-untouched", "after-a-bom");

  /** id -> errorCode, fieldPath, message. */
  static final Map<String, List<String>> DEAD_LETTERS =
      Map.of(
          "cr-in-a-string",
          List.of(
              ErrorCodes.MALFORMED_RECORD,
              "",
              "Malformed record: the line is not valid JSON (column 38)"),
          "byte-outside-strings",
          List.of(
              ErrorCodes.MALFORMED_RECORD,
              "",
              "Malformed record: the line is not valid JSON (column 31)"),
          "duplicate-ciphertext",
          List.of(
              ErrorCodes.DUPLICATE_FIELD,
              "card.number",
              "The field card.number appears twice in one object: which one counts is ambiguous,"
                  + " so neither is used"),
          "duplicate-reference",
          List.of(
              ErrorCodes.DUPLICATE_FIELD,
              "tenant_id",
              "The field tenant_id appears twice in one object: which one counts is ambiguous,"
                  + " so neither is used"),
          "deep",
          List.of(
              ErrorCodes.JSON_LIMIT_EXCEEDED,
              "",
              "The line exceeds a limit of the JSON parser: Depth (1001) exceeds the maximum"
                  + " allowed nesting depth (1000)"),
          "huge-ciphertext",
          List.of(
              ErrorCodes.JSON_LIMIT_EXCEEDED,
              "",
              "The line exceeds a limit of the JSON parser: String length \\(\\d+\\) exceeds the"
                  + " maximum length \\(20000000\\)"),
          "latin1-tenant",
          List.of(
              ErrorCodes.CONTEXT_FIELD_INVALID,
              "card.number", // the first field whose context could not be made
              "Context key 'tenant' refers to ${tenant_id}, which cannot be context text: tenant_id"
                  + " holds bytes that are not UTF-8 (or a lone surrogate escape)"),
          "bad-disabled-3",
          List.of("DisabledException", "card.number", ".* is disabled\\."));

  // ---- the first run -----------------------------------------------------------------------

  @Test
  void run_succeeds_andReadIsWrittenPlusDeadLettered_inTheMetricsAndInTheFiles() {
    assertThat(outcome.exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport r = outcome.report();
    long good = Samples.CUSTOMERS + WRITTEN.size();
    assertThat(lines.size(), is(Samples.CUSTOMERS + WRITTEN.size() + deadLetters.size()));
    assertThat(r.read(), is((long) lines.size()));
    assertThat(r.written(), is(good));
    assertThat(r.deadLettered(), is((long) deadLetters.size()));
    assertThat(
        r.committed(), equalTo(new RunReport.Committed(lines.size(), good, deadLetters.size())));
    assertThat(
        r.deadLettersByCode(),
        equalTo(
            Map.of(
                ErrorCodes.MALFORMED_RECORD,
                2L,
                ErrorCodes.DUPLICATE_FIELD,
                2L,
                ErrorCodes.JSON_LIMIT_EXCEEDED,
                withAStringBeyondTheLimit() ? 2L : 1L,
                ErrorCodes.CONTEXT_FIELD_INVALID,
                1L,
                "DisabledException",
                1L)));
  }

  @Test
  void everyWrittenLine_isItsInputLineByteForByte_butForTheCiphertexts() throws IOException {
    List<byte[]> out = partLines(run);
    Map<String, byte[]> byId = new HashMap<>();
    for (byte[] l : out) {
      assertThat(byId.put(idOf(l), l), is((byte[]) null));
    }
    List<String> expectedIds = new ArrayList<>(lines.keySet());
    expectedIds.removeAll(deadLetters.keySet());
    assertThat(new TreeMap<>(byId).keySet(), equalTo(new java.util.TreeSet<>(expectedIds)));
    for (String id : expectedIds) {
      byte[] written = byId.get(id);
      byte[] original = lines.get(id);
      assertThat(id, withoutCiphertexts(written), equalTo(withoutCiphertexts(original)));
      assertThat(id, latin1(written), not(equalTo(latin1(original))));
    }
    // What TextIO changed: the byte 0xE9 and the \r before the \n are still there.
    assertThat(
        latin1(byId.get("latin1")),
        matchesPattern("(?s)\\{\"id\":\"latin1\",\"nickname\":\"Jos\u00e9\",.*\\}\r"));
    assertThat(
        latin1(byId.get("cr-between-members")), matchesPattern("(?s).*\"a\":1,\r\"tenant_id\".*"));
  }

  @Test
  void everyDeadLetter_carriesItsInputLineByteForByte_withItsCodeAndMessage() throws IOException {
    Map<String, List<String>> found = new TreeMap<>();
    for (byte[] d : partLines(run.resolve("dead-letter"))) {
      // The dead-letter file itself is UTF-8: bytes that were not are escaped in the JSON.
      assertThat(LosslessUtf8.hasLoneSurrogate(LosslessUtf8.decode(d, 0, d.length)), is(false));
      JsonNode n = DeadLetterFiles.parseJsonLine(new String(d, StandardCharsets.UTF_8));
      byte[] record = LosslessUtf8.encode(n.get("record").textValue());
      String id = idOf(record);
      assertThat(id, latin1(record), equalTo(latin1(lines.get(id))));
      found.put(
          id,
          List.of(
              n.get("errorCode").asText(),
              n.get("fieldPath").isNull() ? "" : n.get("fieldPath").asText(),
              n.get("message").asText()));
    }
    assertThat(found.keySet(), equalTo(deadLetters.keySet()));
    for (Map.Entry<String, List<String>> e : found.entrySet()) {
      List<String> expected = deadLetters.get(e.getKey());
      assertThat(e.getKey(), e.getValue().subList(0, 2), equalTo(expected.subList(0, 2)));
      String message = e.getValue().get(2);
      if (e.getKey().equals("huge-ciphertext") || e.getKey().equals("bad-disabled-3")) {
        assertThat(e.getKey(), message, matchesPattern(expected.get(2)));
      } else {
        assertThat(e.getKey(), message, equalTo(expected.get(2)));
      }
    }
  }

  // ---- the replay --------------------------------------------------------------------------

  @Test
  void replay_writesTheLineItCouldNotReKeyBefore_byteForByte_andDeadLettersTheRestUnchanged()
      throws IOException {
    assertThat(replayed.exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport r = replayed.report();
    assertThat(r.read(), is((long) deadLetters.size()));
    assertThat(r.written(), is(1L));
    assertThat(r.deadLettered(), is((long) deadLetters.size() - 1));
    assertThat(
        r.committed(),
        equalTo(new RunReport.Committed(deadLetters.size(), 1, deadLetters.size() - 1)));

    List<byte[]> out = partLines(replay);
    assertThat(out.size(), is(1));
    byte[] original = lines.get("bad-disabled-3");
    assertThat(withoutCiphertexts(out.get(0)), equalTo(withoutCiphertexts(original)));
    assertThat(latin1(out.get(0)), matchesPattern("(?s).*\"nickname\":\"Jos\u00e9\".*"));

    for (byte[] d : partLines(replay.resolve("dead-letter"))) {
      JsonNode n = DeadLetterFiles.parseJsonLine(new String(d, StandardCharsets.UTF_8));
      byte[] record = LosslessUtf8.encode(n.get("record").textValue());
      String id = idOf(record);
      assertThat(id, latin1(record), equalTo(latin1(lines.get(id))));
      assertThat(id, n.get("errorCode").asText(), equalTo(deadLetters.get(id).get(0)));
    }
  }
}
