package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.CapturedOutput;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.ParquetTestFiles;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestClocks;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.transform.ReEncrypt;
import io.qkms.pipeline.worker.EngineSpec;
import io.qkms.pipeline.worker.WorkerEngine;
import io.qkms.pipeline.worker.WorkerEngines;
import io.qkms.samples.data.SampleData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The job end to end on one runner (the subclasses pick it): the samples' data sets with nested,
 * array and union fields in both encodings, field-referencing contexts and four bad records. The
 * Avro and JSON Lines runs are made once per class and examined by several tests; scenarios that
 * change keys run on fresh samples of their own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EndToEndTest {
  static final Map<String, String> TENANT = SampleData.CONTEXT_TEMPLATE;
  static final String CONTEXT_FLAG = "{\"tenant\":\"${tenant_id}\"}";

  Path dir;

  /**
   * Engines already open when this class began: a Direct-runner pipeline that failed in another
   * test class may have kept one (its DoFns' teardown is best effort after a failure).
   */
  Samples samples;

  Path avroRun;
  Path jsonRun;
  Path parquetRun;
  ReKeyJob.Outcome avro;
  ReKeyJob.Outcome json;
  ReKeyJob.Outcome parquet;
  String logs;

  /** The runner's options, e.g. {@code --runner=DirectRunner}. */
  abstract List<String> runnerArgs();

  @BeforeAll
  void runTheSamples() throws IOException {
    dir = Files.createTempDirectory("qkms-e2e-");
    samples = Samples.made(dir.resolve("samples"));
    avroRun = dir.resolve("avro-run");
    jsonRun = dir.resolve("json-run");
    parquetRun = dir.resolve("parquet-run");
    try (CapturedOutput captured = new CapturedOutput()) {
      avro = job(rekeyArgs(samples.data("customers.avro"), avroRun));
      json = job(rekeyArgs(samples.data("customers.jsonl"), jsonRun));
      parquet = job(rekeyArgs(samples.data("customers.parquet"), parquetRun));
      logs = captured.text();
    }
  }

  @AfterAll
  void noEngineLeftOpen_andCleanUp() throws IOException {
    TestDirs.deleteTree(dir);
    assertThat(WorkerEngines.openEnginesUnder(dir), is(0));
  }

  List<String> rekeyArgs(Path input, Path output) {
    return rekeyArgsFor(samples, input, output);
  }

  ReKeyJob.Outcome job(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(runnerArgs());
    return JobRun.echoed(all).outcome();
  }

  /** Ciphertext fields and null fields of the 200 good sample customers, from the generator. */
  static int[] expectedFieldsAndNulls() {
    int fields = 0;
    int nulls = 0;
    for (int i = 0; i < Samples.CUSTOMERS; i++) {
      SampleData.Customer c = SampleData.customer("cust", i);
      fields += 1 + c.items().size() + (c.note() == null ? 0 : 1);
      nulls += c.note() == null ? 1 : 0;
    }
    return new int[] {fields, nulls};
  }

  // ---- Avro ------------------------------------------------------------------------------

  @Test
  void avro_runSucceeds_andPublishesSuccessMarkerAndReport() {
    assertThat(avro.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(Files.exists(avroRun.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    assertThat(Files.exists(avroRun.resolve(ReKeyJob.REPORT_FILE)), is(true));
  }

  @Test
  void avro_countsAddUp_readIsWrittenPlusDeadLettered() {
    RunReport r = avro.report();
    int[] expected = expectedFieldsAndNulls();
    assertThat(r.read(), is(204L));
    assertThat(r.written(), is(200L));
    assertThat(r.deadLettered(), is(4L));
    assertThat(r.counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is(200L));
    assertThat(r.counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED), is((long) expected[0]));
    assertThat(r.counter(ReKeyMetrics.FIELDS_NULL), is((long) expected[1]));
    assertThat(r.deadLettersByCode(), equalTo(Samples.badRecordsByCode()));
  }

  @Test
  void avro_everyOutputFieldDecryptsUnderTheDestinationKeyAndContext_toTheOriginal() {
    List<GenericRecord> out = Outputs.avro(avroRun);
    assertThat(out, hasSize(200));
    int checked = 0;
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      for (GenericRecord r : out) {
        String id = r.get("id").toString();
        Map<String, String> ctx = SampleData.context(r.get("tenant_id").toString());
        GenericRecord card = (GenericRecord) r.get("card");
        assertThat(
            admin.decrypt(
                Outputs.bytes(card.get("number")), Samples.NEW_KEY, ctx, Samples.US_EAST_1),
            equalTo(SampleData.expectedCardNumber(id)));
        List<?> items = (List<?>) r.get("items");
        for (int j = 0; j < items.size(); j++) {
          String secret = ((GenericRecord) items.get(j)).get("secret").toString();
          assertThat(
              admin.decrypt(
                  Base64.getDecoder().decode(secret), Samples.NEW_KEY, ctx, Samples.US_EAST_1),
              equalTo(SampleData.expectedItemSecret(id, j)));
        }
        if (r.get("note") != null) {
          assertThat(
              admin.decrypt(Outputs.bytes(r.get("note")), Samples.NEW_KEY, ctx, Samples.US_EAST_1),
              equalTo(SampleData.expectedNote(id)));
        }
        checked++;
      }
    }
    assertThat(checked, is(200));
  }

  @Test
  void avro_outputKeepsTheSchemaAndEveryOtherField() {
    Map<String, GenericRecord> input = byId(Outputs.avroFile(samples.data("customers.avro")));
    for (GenericRecord r : Outputs.avro(avroRun)) {
      GenericRecord in = input.get(r.get("id").toString());
      assertThat(r.getSchema(), equalTo(SampleData.SCHEMA));
      assertThat(r.get("tenant_id"), equalTo(in.get("tenant_id")));
      assertThat(
          ((GenericRecord) r.get("card")).get("holder"),
          equalTo(((GenericRecord) in.get("card")).get("holder")));
      assertThat(((List<?>) r.get("items")).size(), is(((List<?>) in.get("items")).size()));
      assertThat(r.get("note") == null, is(in.get("note") == null));
      assertThat(
          ((GenericRecord) r.get("card")).get("number"),
          not(equalTo(((GenericRecord) in.get("card")).get("number"))));
    }
  }

  @Test
  void avro_badRecordsAreDeadLettered_withFieldCodeAndSourceKey() {
    Map<String, GenericRecord> dead = deadLettersById(avroRun.resolve("dead-letter"));
    assertThat(dead.keySet(), equalTo(Samples.BAD_RECORD_CODES.keySet()));
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      String oldArn = admin.arn(Samples.OLD_KEY, Samples.US_EAST_1);
      String disabledArn = admin.arn(Samples.DISABLED_KEY, Samples.US_EAST_1);
      for (Map.Entry<String, GenericRecord> e : dead.entrySet()) {
        GenericRecord d = e.getValue();
        assertThat(
            d.get("errorCode").toString(), equalTo(Samples.BAD_RECORD_CODES.get(e.getKey())));
        assertThat(d.get("fieldPath").toString(), equalTo("card.number"));
        assertThat(
            d.get("sourceKeyArn").toString(),
            equalTo(e.getKey().equals("bad-disabled-3") ? disabledArn : oldArn));
      }
      assertThat(
          dead.get("bad-disabled-3").get("message").toString(),
          equalTo(disabledArn + " is disabled."));
      assertThat(
          dead.get("bad-notenant-5").get("message").toString(),
          equalTo(
              "Context key 'tenant' refers to ${tenant_id}, which is null or absent in this"
                  + " record"));
      assertThat(dead.get("bad-tampered-1").get("attempts"), is(1));
      assertThat(dead.get("bad-notenant-5").get("attempts"), is(0));
    }
  }

  @Test
  void avro_deadLettersCarryTheOriginalRecordExactly() {
    Map<String, GenericRecord> input = byId(Outputs.avroFile(samples.data("customers.avro")));
    for (Map.Entry<String, GenericRecord> e :
        deadLettersById(avroRun.resolve("dead-letter")).entrySet()) {
      assertThat(e.getValue().get("record"), equalTo(input.get(e.getKey())));
    }
  }

  // ---- JSON Lines ------------------------------------------------------------------------

  @Test
  void jsonl_countsAddUp_readIsWrittenPlusDeadLettered() {
    assertThat(json.exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport r = json.report();
    assertThat(r.read(), is(204L));
    assertThat(r.written(), is(200L));
    assertThat(r.deadLettered(), is(4L));
    assertThat(r.counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED), is((long) expectedFieldsAndNulls()[0]));
    assertThat(r.counter(ReKeyMetrics.FIELDS_NULL), is((long) expectedFieldsAndNulls()[1]));
  }

  @Test
  void jsonl_everyOutputFieldDecryptsUnderTheDestinationKeyAndContext_toTheOriginal() {
    List<String> out = Outputs.lines(jsonRun);
    assertThat(out, hasSize(200));
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      for (String line : out) {
        JsonNode r = DeadLetterFiles.parseJsonLine(line);
        String id = r.get("id").asText();
        Map<String, String> ctx = SampleData.context(r.get("tenant_id").asText());
        assertThat(
            admin.decrypt(
                base64(r.get("card").get("number")), Samples.NEW_KEY, ctx, Samples.US_EAST_1),
            equalTo(SampleData.expectedCardNumber(id)));
        for (int j = 0; j < r.get("items").size(); j++) {
          assertThat(
              admin.decrypt(
                  base64(r.get("items").get(j).get("secret")),
                  Samples.NEW_KEY,
                  ctx,
                  Samples.US_EAST_1),
              equalTo(SampleData.expectedItemSecret(id, j)));
        }
        JsonNode note = r.get("note");
        if (note != null && !note.isNull()) {
          assertThat(
              admin.decrypt(base64(note), Samples.NEW_KEY, ctx, Samples.US_EAST_1),
              equalTo(SampleData.expectedNote(id)));
        }
      }
    }
  }

  @Test
  void jsonl_outputLinesDifferFromTheInputOnlyInTheCiphertextStrings() throws IOException {
    Map<String, String> input = new HashMap<>();
    for (String l : Files.readAllLines(samples.data("customers.jsonl"))) {
      input.put(DeadLetterFiles.parseJsonLine(l).get("id").asText(), l);
    }
    for (String line : Outputs.lines(jsonRun)) {
      String original = input.get(DeadLetterFiles.parseJsonLine(line).get("id").asText());
      assertThat(withoutBase64Strings(line), equalTo(withoutBase64Strings(original)));
      assertThat(line, not(equalTo(original)));
    }
  }

  @Test
  void jsonl_badRecordsAreDeadLettered_withTheOriginalLineExactly() throws IOException {
    Map<String, String> input = new HashMap<>();
    for (String l : Files.readAllLines(samples.data("customers.jsonl"))) {
      input.put(DeadLetterFiles.parseJsonLine(l).get("id").asText(), l);
    }
    Map<String, String> codes = new TreeMap<>();
    for (String d : Outputs.lines(jsonRun.resolve("dead-letter"))) {
      JsonNode n = DeadLetterFiles.parseJsonLine(d);
      String record = n.get("record").asText();
      String id = DeadLetterFiles.parseJsonLine(record).get("id").asText();
      assertThat(record, equalTo(input.get(id)));
      assertThat(n.get("fieldPath").asText(), equalTo("card.number"));
      codes.put(id, n.get("errorCode").asText());
    }
    assertThat(codes, equalTo(new TreeMap<>(Samples.BAD_RECORD_CODES)));
  }

  // ---- Parquet ---------------------------------------------------------------------------

  @Test
  void parquet_countsAddUp_andTheCommittedCountsComeFromTheFooters() {
    assertThat(parquet.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(Files.exists(parquetRun.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    RunReport r = parquet.report();
    assertThat(r.read(), is(204L));
    assertThat(r.written(), is(200L));
    assertThat(r.deadLettered(), is(4L));
    assertThat(r.committed(), equalTo(new RunReport.Committed(204, 200, 4)));
    assertThat(r.counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED), is((long) expectedFieldsAndNulls()[0]));
    assertThat(r.counter(ReKeyMetrics.FIELDS_NULL), is((long) expectedFieldsAndNulls()[1]));
    assertThat(r.run().get("inputFormat"), equalTo("parquet"));
    assertThat(r.run().get("parquetCodec"), equalTo("GZIP"));
  }

  @Test
  void parquet_twoInputFiles_areWrittenWhole_everyRecordOnce() throws IOException {
    Path in = Files.createDirectories(dir.resolve("two-parquet"));
    Files.copy(samples.data("customers.parquet"), in.resolve("a.parquet"));
    Files.copy(samples.data("customers.parquet"), in.resolve("b.parquet"));
    Path run = dir.resolve("two-parquet-run");

    ReKeyJob.Outcome o = job(rekeyArgs(in.resolve("*.parquet"), run));

    assertThat(o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(o.report().committed(), equalTo(new RunReport.Committed(408, 400, 8)));
    assertThat(ParquetTestFiles.parts(run).size(), is(400));
  }

  @Test
  void parquet_everyOutputFieldDecryptsUnderTheDestinationKeyAndContext_toTheOriginal() {
    Path output = Outputs.parts(parquetRun).get(0);
    assertThat(output.getFileName().toString(), org.hamcrest.Matchers.endsWith(".parquet"));
    Samples.Verified v =
        samples.verify(ParquetTestFiles.parts(parquetRun), Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is(200L));
    assertThat(v.fields(), is((long) expectedFieldsAndNulls()[0]));
  }

  @Test
  void parquet_outputKeepsTheParquetSchemaAndCodec_andEveryOtherColumnExactly() {
    ParquetMetadata in = ParquetTestFiles.footer(samples.data("customers.parquet"));
    assertThat(in.getBlocks().size() > 1, is(true)); // the input has several row groups
    Map<String, GenericRecord> input =
        byId(ParquetTestFiles.read(samples.data("customers.parquet")));
    int checked = 0;
    for (Path part : Outputs.parts(parquetRun)) {
      ParquetMetadata out = ParquetTestFiles.footer(part);
      assertThat(out.getFileMetaData().getSchema(), equalTo(in.getFileMetaData().getSchema()));
      for (var block : out.getBlocks()) {
        for (var column : block.getColumns()) {
          assertThat(column.getCodec(), is(CompressionCodecName.GZIP));
        }
      }
      for (GenericRecord r : ParquetTestFiles.read(part)) {
        GenericRecord original = input.get(r.get("id").toString());
        assertThat(withoutCiphertexts(r), equalTo(withoutCiphertexts(original)));
        assertThat(
            ((GenericRecord) r.get("card")).get("number"),
            not(equalTo(((GenericRecord) original.get("card")).get("number"))));
        checked++;
      }
    }
    assertThat(checked, is(200));
  }

  @Test
  void parquet_deadLettersAreAvro_withTheOriginalRecordsAndHowToWriteThemAsParquet()
      throws IOException {
    Map<String, GenericRecord> input =
        byId(ParquetTestFiles.read(samples.data("customers.parquet")));
    Map<String, GenericRecord> dead = deadLettersById(parquetRun.resolve("dead-letter"));
    assertThat(dead.keySet(), equalTo(Samples.BAD_RECORD_CODES.keySet()));
    for (Map.Entry<String, GenericRecord> e : dead.entrySet()) {
      assertThat(
          e.getValue().get("errorCode").toString(),
          equalTo(Samples.BAD_RECORD_CODES.get(e.getKey())));
      assertThat(e.getValue().get("record"), equalTo(input.get(e.getKey())));
    }
    Path file = Outputs.parts(parquetRun.resolve("dead-letter")).get(0);
    try (org.apache.avro.file.DataFileReader<GenericRecord> r =
        new org.apache.avro.file.DataFileReader<>(
            file.toFile(), new org.apache.avro.generic.GenericDatumReader<>())) {
      assertThat(r.getMetaString("qkms.format"), equalTo("parquet"));
      assertThat(r.getMetaString("qkms.parquet.codec"), equalTo("GZIP"));
    }
  }

  @Test
  void parquet_replay_afterTheKeyIsEnabled_writesParquetAsTheFirstRunWould() throws IOException {
    Samples s = Samples.made(dir.resolve("parquet-replay"));
    Path replay = dir.resolve("parquet-replay-2");
    ReKeyJob.Outcome o =
        replayAfterEnablingTheKey(
            s, s.data("customers.parquet"), dir.resolve("parquet-replay-1"), replay);

    assertThat(o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(o.report().committed(), equalTo(new RunReport.Committed(4, 1, 3)));
    Path part = Outputs.parts(replay).get(0);
    assertThat(part.getFileName().toString(), org.hamcrest.Matchers.endsWith(".parquet"));
    assertThat(
        ParquetTestFiles.footer(part).getFileMetaData().getSchema(),
        equalTo(
            ParquetTestFiles.footer(s.data("customers.parquet")).getFileMetaData().getSchema()));
    Samples.Verified v = s.verify(ParquetTestFiles.read(part), Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is(1L));
  }

  /** A copy of a customer record with its ciphertext fields blanked. */
  static GenericRecord withoutCiphertexts(GenericRecord r) {
    GenericRecord c = GenericData.get().deepCopy(r.getSchema(), r);
    ((GenericRecord) c.get("card")).put("number", ByteBuffer.allocate(0));
    for (Object item : (List<?>) c.get("items")) {
      ((GenericRecord) item).put("secret", "");
    }
    if (c.get("note") != null) {
      c.put("note", ByteBuffer.allocate(0));
    }
    return c;
  }

  // ---- no plaintext anywhere -------------------------------------------------------------

  @Test
  void noPlaintextInDeadLettersReportsOutputsOrLogs() throws IOException {
    // Every sample plaintext carries this marker; the inputs and outputs hold only ciphertexts.
    String marker = "PLAINTEXT-";
    List<Path> files;
    try (Stream<Path> s = Stream.of(avroRun, jsonRun, parquetRun).flatMap(EndToEndTest::walk)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertThat(files.size() > 6, is(true));
    List<String> leaking = new ArrayList<>();
    for (Path f : files) {
      // Avro files are snappy-compressed: search their decoded records, not their bytes.
      String text =
          f.toString().endsWith(".avro")
              ? Outputs.avroFile(f).toString()
              : f.toString().endsWith(".parquet")
                  ? ParquetTestFiles.read(f).toString()
                  : new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      if (text.contains(marker)) {
        leaking.add(f.toString());
      }
    }
    assertThat(leaking, empty());
    assertThat(logs, containsString("QKMS re-key SUCCEEDED"));
    assertThat(logs, not(containsString(marker)));
  }

  // ---- scenarios on fresh samples --------------------------------------------------------

  @Test
  void skipIfCurrent_afterRotation_reEncryptsEverything_andASecondRunIsANoOp() throws IOException {
    Samples s = Samples.made(dir.resolve("rotation"));
    s.rotate(Samples.ROTATING_KEY);
    Path first = dir.resolve("rotation-1");
    Path second = dir.resolve("rotation-2");
    ReKeyJob.Outcome o1 = job(rotationArgs(s, s.data("rotation.avro"), first));
    ReKeyJob.Outcome o2 = job(rotationArgs(s, first, second));

    assertThat(
        o1.report().counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is((long) Samples.SMALL_SET));
    assertThat(o2.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(o2.report().counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is(0L));
    assertThat(
        o2.report().counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT), is((long) Samples.SMALL_SET));
    assertThat(
        o2.report().counter(ReKeyMetrics.FIELDS_SKIPPED_AS_CURRENT),
        is(o1.report().counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED)));
    assertThat(byId(Outputs.avro(second)), equalTo(byId(Outputs.avro(first))));
  }

  List<String> rotationArgs(Samples s, Path input, Path output) {
    return List.of(
        "--input=" + input,
        "--output=" + output,
        "--keystore=" + s.keystore(),
        "--fields=card.number,items[].secret,note",
        "--destinationKeyId=" + Samples.ROTATING_KEY,
        "--sourceEncryptionContext=" + CONTEXT_FLAG,
        "--destinationEncryptionContext=" + CONTEXT_FLAG,
        "--skipIfCurrent");
  }

  /**
   * Re-keys {@code input} into {@code first} (its four bad records dead-lettered), enables the
   * disabled key, and replays the first run's dead letters into {@code replay}.
   */
  ReKeyJob.Outcome replayAfterEnablingTheKey(Samples s, Path input, Path first, Path replay) {
    assertThat(job(rekeyArgsFor(s, input, first)).exitCode(), is(0));
    s.enableKey(Samples.DISABLED_KEY);
    List<String> replayArgs = new ArrayList<>(rekeyArgsFor(s, null, replay));
    replayArgs.add("--replayDeadLetters=" + first.resolve("dead-letter"));
    // Three of the four fail again, as expected here: more than the default limit of half.
    replayArgs.add("--maxDeadLetterFraction=1");
    return job(replayArgs);
  }

  @Test
  void replay_afterTheKeyIsEnabled_reEncryptsTheRecordItBlocked_andDeadLettersTheRestAgain()
      throws IOException {
    Samples s = Samples.made(dir.resolve("replay"));
    Path replay = dir.resolve("replay-2");
    ReKeyJob.Outcome o =
        replayAfterEnablingTheKey(s, s.data("customers.avro"), dir.resolve("replay-1"), replay);

    assertThat(o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(o.report().read(), is(4L));
    assertThat(o.report().written(), is(1L));
    assertThat(
        o.report().deadLettersByCode(),
        equalTo(Map.of("InvalidCiphertextException", 2L, "ContextFieldMissing", 1L)));
    GenericRecord r = Outputs.avro(replay).get(0);
    assertThat(r.get("id").toString(), equalTo("bad-disabled-3"));
    try (Outputs.Admin admin = new Outputs.Admin(s)) {
      assertThat(
          admin.decrypt(
              Outputs.bytes(((GenericRecord) r.get("card")).get("number")),
              Samples.NEW_KEY,
              SampleData.context(r.get("tenant_id").toString()),
              Samples.US_EAST_1),
          equalTo(SampleData.expectedCardNumber("bad-disabled-3")));
    }
  }

  List<String> rekeyArgsFor(Samples s, Path input, Path output) {
    List<String> a = new ArrayList<>();
    if (input != null) {
      a.add("--input=" + input);
    }
    a.add("--output=" + output);
    a.addAll(s.reKeyArgs(Samples.FIELDS));
    return a;
  }

  /**
   * A key disabled while workers hold it cached keeps working until the cache TTL passes (that is
   * the documented bound), then every record under it is dead-lettered. The worker engine is kept
   * open across three pipelines, and its clock is moved by hand.
   */
  @Test
  void keyDisabledMidRun_takesEffectOnceTheCacheTtlHasPassed() throws IOException {
    Samples s = Samples.made(dir.resolve("ttl"));
    Schema schema =
        SchemaBuilder.record("R").fields().requiredString("id").requiredBytes("secret").endRecord();
    List<GenericRecord> records = new ArrayList<>();
    try (Outputs.Admin admin = new Outputs.Admin(s)) {
      for (int i = 0; i < 5; i++) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", "r" + i);
        r.put("secret", ByteBuffer.wrap(admin.encrypt(Samples.OLD_KEY, "PLAINTEXT-ttl-" + i)));
        records.add(r);
      }
      TestClocks.Named clock = TestClocks.create("ttl-" + getClass().getSimpleName());
      Duration ttl = Duration.ofSeconds(60);
      EngineSpec spec = EngineSpec.of(s.keystore().toString()).withCacheTtl(ttl).withClock(clock);
      try (WorkerEngine held = WorkerEngines.acquire(spec)) {
        Map<String, Long> before = runTransform(s, schema, records, ttl, clock);
        admin.engine.disableKey(
            admin.caller(Samples.US_EAST_1), new DisableKeyRequest(Samples.OLD_KEY));
        Map<String, Long> cached = runTransform(s, schema, records, ttl, clock);
        clock.mutable().advance(ttl.plusSeconds(1));
        Map<String, Long> after = runTransform(s, schema, records, ttl, clock);

        assertThat(before.get(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is(5L));
        assertThat(cached.get(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is(5L));
        assertThat(after.get(ReKeyMetrics.FAILED_PREFIX + "DisabledException"), is(5L));
        assertThat(after.getOrDefault(ReKeyMetrics.RECORDS_RE_ENCRYPTED, 0L), is(0L));
      }
    }
  }

  private Map<String, Long> runTransform(
      Samples s, Schema schema, List<GenericRecord> records, Duration ttl, TestClocks.Named clock) {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(runnerArgs().toArray(new String[0])).create());
    p.apply(Create.of(records).withCoder(AvroCoder.of(schema)))
        .apply(
            ReEncrypt.avroRecords()
                .withKeyStore(s.keystore().toString())
                .withFields("secret")
                .withDestinationKeyId(Samples.NEW_KEY)
                .withCacheTtl(ttl)
                .withEngineClock(clock));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return ReKeyMetrics.settledCounters(result.metrics());
  }

  // ---- helpers ---------------------------------------------------------------------------

  static Stream<Path> walk(Path dir) {
    try {
      return Files.walk(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Map<String, GenericRecord> byId(List<GenericRecord> records) {
    return records.stream().collect(Collectors.toMap(r -> r.get("id").toString(), r -> r));
  }

  static Map<String, GenericRecord> deadLettersById(Path deadLetterDir) {
    return Outputs.avro(deadLetterDir).stream()
        .collect(
            Collectors.toMap(d -> ((GenericRecord) d.get("record")).get("id").toString(), d -> d));
  }

  static byte[] base64(JsonNode n) {
    return Base64.getDecoder().decode(n.asText());
  }

  /** The line with every long base64 string (the ciphertexts) blanked out. */
  static String withoutBase64Strings(String line) {
    return line.replaceAll("\"[A-Za-z0-9+/]{40,}={0,2}\"", "\"<ct>\"");
  }
}
