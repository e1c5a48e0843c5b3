package io.qkms.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.errors.DryRunOperationException;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.pipeline.deadletter.ErrorCodes;
import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.fields.FieldException;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.fields.RecordAccessor;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.fields.RecordView;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.transform.FieldEncoding;
import io.qkms.pipeline.transform.FieldRule;
import io.qkms.pipeline.worker.WorkerEngine;
import io.qkms.pipeline.worker.WorkerKms;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;

/**
 * The check before a run that it will do what it was asked: a few hundred records, spread over the
 * input files, are tried with the run's settings through the engine without writing anything
 * (ReEncrypt with DryRun). When none of them re-encrypts, the settings are wrong, not the data, and
 * the run stops with a diagnosis that names the likely setting instead of dead-lettering the whole
 * input. For JSON Lines, which have no schema, a field path that no sampled record has is refused
 * too (usually a misspelling), unless {@code --allowAbsentFields}.
 */
final class SampleCheck {
  static final int SAMPLE_RECORDS = 256;
  static final int MAX_FILES = 32;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The KMS the sample is tried against: the embedded engine, or a remote endpoint. */
  interface Kms {
    /**
     * A ReEncrypt with DryRun.
     *
     * @return null when it would succeed; else its error
     */
    KmsError dryRun(WorkerKms.Args args);

    /**
     * DryRuns of {@code probes}, answered in their order: one after another unless the KMS keeps
     * several in flight (an endpoint, where the sample's calls are most of a run's checks).
     */
    default List<KmsError> dryRunAll(List<WorkerKms.Args> probes) {
      List<KmsError> out = new ArrayList<>(probes.size());
      for (WorkerKms.Args a : probes) {
        out.add(dryRun(a));
      }
      return out;
    }

    /** The key ARN a blob's header names, or null if it is no QKMS ciphertext. */
    String headerKeyArn(byte[] blob);

    /** Who calls, as the diagnosis of AccessDeniedException names it. */
    String caller();

    /**
     * Whether an AccessDeniedException on any sampled record stops the run (a remote run, which
     * would spend requests on records it may not re-key), not only on every one.
     */
    boolean anyAccessDeniedStops();

    /**
     * Whether only QKMS ciphertexts open (the embedded engine), so a blob without a QKMS header is
     * no ciphertext at all; an endpoint may be AWS KMS, whose ciphertexts have another format.
     */
    boolean opensOnlyQkmsBlobs();

    /** Whether the blob is under {@code destinationKeyId}'s current material (for estimates). */
    default boolean isCurrent(byte[] blob, String destinationKeyId) {
      return false;
    }
  }

  /** An error a KMS answered: the API's code and message, and whether it may pass. */
  record KmsError(String code, String message, boolean retryable) {}

  /**
   * What the sample showed, for the estimate of a remote run: records tried, those that would
   * re-encrypt, the ciphertexts they hold, and how many of those are already current (with
   * --skipIfCurrent, else 0).
   */
  record Sampled(int records, long reEncrypt, long ciphertexts, long current) {
    /** Calls one record takes on average (1 when nothing was sampled). */
    double callsPerRecord() {
      return records == 0 ? 1.0 : (ciphertexts - current) / (double) records;
    }
  }

  /** The embedded engine as the sample check's KMS, calling as {@code caller}. */
  static Kms embedded(KmsEngine engine, Caller caller, String principal) {
    return embedded(engine, caller, principal, true);
  }

  /**
   * The embedded engine; with {@code dryRun} false its {@link Kms#dryRun} re-encrypts for real (the
   * new ciphertext is discarded), for the calibration of an estimate.
   */
  private static Kms embedded(KmsEngine engine, Caller caller, String principal, boolean dryRun) {
    return new Kms() {
      @Override
      public KmsError dryRun(WorkerKms.Args args) {
        try {
          engine.reEncrypt(caller, WorkerEngine.request(args).dryRun(dryRun).build());
          return null;
        } catch (DryRunOperationException e) {
          return null; // it would have succeeded
        } catch (KmsException e) {
          return new KmsError(e.errorCode(), e.getMessage(), e.isRetryable());
        }
      }

      @Override
      public String headerKeyArn(byte[] blob) {
        KeyMaterialRef header = engine.ciphertextKeyMaterial(blob);
        return header == null ? null : header.keyArn();
      }

      @Override
      public String caller() {
        return "--principal " + (principal == null ? "(the account root)" : principal);
      }

      @Override
      public boolean anyAccessDeniedStops() {
        return false;
      }

      @Override
      public boolean opensOnlyQkmsBlobs() {
        return true;
      }
    };
  }

  /** One sampled record's outcome: re-encrypts, holds no ciphertext, or fails. */
  private record Outcome(boolean ok, boolean noCiphertext, Failure failure) {}

  /** The first failure of a record, with what the diagnosis needs. */
  private record Failure(
      String code, String field, String message, byte[] blob, Map<String, String> source) {}

  /**
   * What trying the sample found (for {@code --estimateOnly}): records tried, those that would
   * re-encrypt, those without any ciphertext, and the others' first failure by error code.
   */
  record Result(
      List<Object> records, long ok, long noCiphertext, Map<String, Long> failuresByCode) {
    long tried() {
      return records.size();
    }
  }

  private final JobPlan plan;
  private final Kms kms;
  private long ciphertexts;
  private long current;

  private SampleCheck(JobPlan plan, Kms kms) {
    this.plan = plan;
    this.kms = kms;
  }

  /**
   * @throws IllegalArgumentException with the diagnosis when the run would not re-key its records
   */
  static void run(JobPlan plan, KmsEngine engine, Caller caller) {
    run(plan, embedded(engine, caller, plan.principal()));
  }

  /** Samples the input and tries the records with the run's settings, without a verdict. */
  static Result sample(JobPlan plan, KmsEngine engine, Caller caller) {
    SampleCheck c = new SampleCheck(plan, embedded(engine, caller, plan.principal()));
    List<?> records;
    try {
      records = c.sample();
    } catch (IOException e) {
      throw new IllegalArgumentException("--input: cannot read the input: " + e.getMessage());
    }
    @SuppressWarnings("unchecked")
    List<Object> all = (List<Object>) records;
    List<Outcome> outcomes = c.tryAll(all);
    Map<String, Long> byCode = new TreeMap<>();
    outcomes.stream()
        .map(Outcome::failure)
        .filter(f -> f != null)
        .forEach(f -> byCode.merge(f.code(), 1L, Long::sum));
    return new Result(
        List.copyOf(all),
        outcomes.stream().filter(Outcome::ok).count(),
        outcomes.stream().filter(Outcome::noCiphertext).count(),
        byCode);
  }

  /**
   * Records per second that one thread of this machine re-keys: the sampled records, over and over
   * for about {@code budget}, each re-encrypted for real through the engine (the new ciphertexts
   * are discarded) and, for Avro, decoded from and encoded to bytes as the job's reader and writer
   * do. 0 when there are no records.
   */
  static double calibrate(
      JobPlan plan,
      KmsEngine engine,
      Caller caller,
      List<Object> records,
      java.time.Duration budget)
      throws IOException {
    if (records.isEmpty()) {
      return 0;
    }
    SampleCheck c = new SampleCheck(plan, embedded(engine, caller, plan.principal(), false));
    // Records with a schema (Avro, Parquet) are decoded and encoded as Avro binary, as the job's
    // coder does between its steps; lines are scanned as they are.
    boolean avro = records.get(0) instanceof GenericRecord;
    List<byte[]> encoded = new ArrayList<>();
    org.apache.avro.generic.GenericDatumWriter<GenericRecord> writer = null;
    org.apache.avro.generic.GenericDatumReader<GenericRecord> reader = null;
    if (avro) {
      org.apache.avro.Schema schema = ((GenericRecord) records.get(0)).getSchema();
      writer = new org.apache.avro.generic.GenericDatumWriter<>(schema);
      reader = new org.apache.avro.generic.GenericDatumReader<>(schema);
      for (Object r : records) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder e =
            org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        writer.write((GenericRecord) r, e);
        e.flush();
        encoded.add(bytes.toByteArray());
      }
    }
    long deadline = System.nanoTime() + budget.toNanos();
    long t0 = System.nanoTime();
    long done = 0;
    org.apache.avro.io.BinaryDecoder decoder = null;
    org.apache.avro.io.BinaryEncoder encoder = null;
    java.io.OutputStream sink = java.io.OutputStream.nullOutputStream();
    do {
      List<Object> round = new ArrayList<>(records.size());
      for (int i = 0; i < records.size(); i++) {
        if (avro) {
          decoder = org.apache.avro.io.DecoderFactory.get().binaryDecoder(encoded.get(i), decoder);
          round.add(reader.read(null, decoder));
        } else {
          round.add(records.get(i));
        }
      }
      c.tryAll(round);
      if (avro) {
        encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(sink, encoder);
        for (Object r : round) {
          writer.write((GenericRecord) r, encoder);
        }
        encoder.flush();
      }
      done += round.size();
    } while (System.nanoTime() < deadline);
    return done / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * @return what the sample showed
   * @throws IllegalArgumentException with the diagnosis when the run would not re-key its records
   */
  static Sampled run(JobPlan plan, Kms kms) {
    return new SampleCheck(plan, kms).check();
  }

  private Sampled check() {
    List<?> records;
    try {
      records = sample();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          (plan.replay() ? "--replayDeadLetters" : "--input")
              + ": cannot read the input to check it: "
              + e.getMessage());
    }
    if (records.isEmpty()) {
      return new Sampled(0, 0, 0, 0);
    }
    if (!plan.input().hasSchema() && !plan.allowAbsentFields()) {
      @SuppressWarnings("unchecked")
      List<String> lines = (List<String>) records;
      checkPathsPresent(lines);
    }
    @SuppressWarnings("unchecked")
    List<Object> all = (List<Object>) records;
    List<Outcome> outcomes = tryAll(all);
    long ok = outcomes.stream().filter(Outcome::ok).count();
    List<Failure> failures =
        outcomes.stream().map(Outcome::failure).filter(f -> f != null).toList();
    Sampled sampled = new Sampled(records.size(), ok, ciphertexts, current);
    if (kms.anyAccessDeniedStops()) {
      for (Failure f : failures) {
        if (f.code().equals("AccessDeniedException")) {
          throw new IllegalArgumentException(
              "The caller may not re-encrypt "
                  + (f.field() == null ? "the sampled records" : "field " + f.field())
                  + ": "
                  + diagnose(f));
        }
      }
    }
    if (ok > 0 || failures.isEmpty()) {
      return sampled;
    }
    Map<String, Long> byCode = new TreeMap<>();
    for (Failure f : failures) {
      byCode.merge(f.code(), 1L, Long::sum);
    }
    Failure first =
        failures.stream().max(Comparator.comparingLong(f -> byCode.get(f.code()))).orElseThrow();
    String counts =
        byCode.size() == 1
            ? "all with " + first.code()
            : String.join(
                ", ",
                byCode.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "None of the %d records sampled from the input re-encrypts with these settings (%s)"
                + "%s: %s",
            failures.size(),
            counts,
            first.field() == null ? "" : ", field " + first.field(),
            diagnose(first)));
  }

  // ---- sampling ------------------------------------------------------------------------------

  /** Which files to sample: all, or {@value #MAX_FILES} spread evenly over the sorted list. */
  private List<InputFile> filesToSample() {
    List<InputFile> files = plan.inputFiles();
    if (files.size() <= MAX_FILES) {
      return files;
    }
    List<InputFile> out = new ArrayList<>();
    for (int i = 0; i < MAX_FILES; i++) {
      out.add(files.get((int) ((long) i * files.size() / MAX_FILES)));
    }
    return out;
  }

  private List<?> sample() throws IOException {
    List<InputFile> files = filesToSample();
    int perFile = Math.max(1, SAMPLE_RECORDS / files.size());
    List<Object> out = new ArrayList<>();
    for (InputFile f : files) {
      out.addAll(plan.input().sample(f, perFile));
    }
    return out;
  }

  // ---- field paths of JSON Lines -------------------------------------------------------------

  private void checkPathsPresent(List<String> lines) {
    Set<String> present = new TreeSet<>();
    for (String line : lines) {
      try {
        JsonNode n = JSON.readTree(line);
        if (n != null && n.isObject()) {
          collectPaths(n, "", present);
        }
      } catch (JsonProcessingException e) {
        // A malformed line is dead-lettered by the run; it has no paths.
      }
    }
    if (present.isEmpty()) {
      return;
    }
    for (FieldRule r : plan.fields()) {
      String path = r.path().toString();
      if (!present.contains(path)) {
        throw new IllegalArgumentException(
            "--fields: "
                + path
                + " is in none of the "
                + lines.size()
                + " records sampled from the input"
                + suggestion(path, present)
                + "; their fields are "
                + listed(present)
                + ". Give --allowAbsentFields if the field is absent on purpose.");
      }
    }
  }

  /** Every path in {@code node}: {@code a}, {@code a.b}, {@code items[]}, {@code items[].x}. */
  private static void collectPaths(JsonNode node, String prefix, Set<String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isArray()) {
        out.add(path + "[]");
        for (JsonNode element : v) {
          if (element.isObject()) {
            collectPaths(element, path + "[]", out);
          }
        }
      } else {
        out.add(path);
        if (v.isObject()) {
          collectPaths(v, path, out);
        }
      }
    }
  }

  // ---- trying the records --------------------------------------------------------------------

  @SuppressWarnings({"unchecked", "rawtypes"})
  private List<Outcome> tryAll(List<Object> records) {
    List<FieldRule> rules = plan.fields();
    List<FieldPath> targets = new ArrayList<>();
    List<ContextTemplate> sources = new ArrayList<>();
    List<ContextTemplate> destinations = new ArrayList<>();
    Set<FieldPath> references = new LinkedHashSet<>();
    for (FieldRule r : rules) {
      targets.add(r.path());
      // An envelope's data key is encrypted with the empty context, whatever the defaults are.
      boolean envelope = r.encoding() == FieldEncoding.TINK_ENVELOPE;
      ContextTemplate s =
          envelope
              ? ContextTemplate.empty()
              : r.sourceContext() != null
                  ? r.sourceContext()
                  : ContextTemplate.of(plan.sourceContext());
      ContextTemplate d =
          envelope
              ? ContextTemplate.empty()
              : r.destinationContext() != null
                  ? r.destinationContext()
                  : ContextTemplate.of(plan.destinationContext());
      sources.add(s);
      destinations.add(d);
      references.addAll(s.references());
      references.addAll(d.references());
    }
    List<FieldPath> refs = List.copyOf(references);
    RecordFormat format = plan.input().records();
    RecordAccessor accessor = format.compile(targets, refs);
    List<ContextTemplate.Resolver> sourceResolvers = new ArrayList<>();
    List<ContextTemplate.Resolver> destinationResolvers = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      sourceResolvers.add(sources.get(i).bind(refs));
      destinationResolvers.add(destinations.get(i).bind(refs));
    }
    // Every record's fields first, then their DryRuns all at once, then the outcomes in order.
    RecordView view = new RecordView();
    List<Prepared> prepared = new ArrayList<>(records.size());
    List<WorkerKms.Args> probes = new ArrayList<>();
    for (Object record : records) {
      Prepared p = prepare(accessor, record, view, rules, sourceResolvers, destinationResolvers);
      prepared.add(p);
      p.fields().forEach(f -> probes.add(f.probe()));
    }
    List<KmsError> answers = kms.dryRunAll(probes);
    List<Outcome> out = new ArrayList<>(records.size());
    int from = 0;
    for (Prepared p : prepared) {
      int to = from + p.fields().size();
      out.add(outcome(p, answers.subList(from, to)));
      from = to;
    }
    return out;
  }

  /** A field to try: its rule and its DryRun. */
  private record FieldProbe(FieldRule rule, WorkerKms.Probe probe) {}

  /**
   * A record made ready to try: the fields to send, in order, then {@code end}: the outcome of a
   * record that ends before its fields are sent (no ciphertext, a field that cannot be read), or
   * null.
   */
  private record Prepared(List<FieldProbe> fields, Outcome end) {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Prepared prepare(
      RecordAccessor accessor,
      Object record,
      RecordView view,
      List<FieldRule> rules,
      List<ContextTemplate.Resolver> sourceResolvers,
      List<ContextTemplate.Resolver> destinationResolvers) {
    try {
      accessor.scan(record, view);
    } catch (FieldException e) {
      return new Prepared(List.of(), failed(e.code(), e.fieldPath(), e.getMessage(), null, null));
    }
    if (view.size() == 0) {
      return new Prepared(List.of(), new Outcome(false, true, null));
    }
    List<FieldProbe> fields = new ArrayList<>(view.size());
    for (int i = 0; i < view.size(); i++) {
      int t = view.target(i);
      FieldRule rule = rules.get(t);
      String field = rule.path().toString();
      Map<String, String> source;
      Map<String, String> destination;
      byte[] blob;
      try {
        source = sourceResolvers.get(t).resolve(view);
        destination = destinationResolvers.get(t).resolve(view);
        blob = encoding(rule).reEncryptedPart(view.ciphertext(i), field);
      } catch (FieldException e) {
        return new Prepared(
            fields, failed(e.code(), field, e.getMessage(), view.ciphertext(i), null));
      }
      fields.add(
          new FieldProbe(
              rule,
              new WorkerKms.Probe(
                  blob,
                  sourceKey(rule),
                  source,
                  destinationKey(rule),
                  destination,
                  grantTokens())));
    }
    return new Prepared(fields, null);
  }

  /**
   * A record's outcome from its fields' DryRun answers ({@code answers}, in the fields' order): the
   * first field that fails, else its end, else it re-encrypts. Counts its ciphertexts up to there.
   */
  private Outcome outcome(Prepared p, List<KmsError> answers) {
    for (int i = 0; i < p.fields().size(); i++) {
      FieldProbe f = p.fields().get(i);
      WorkerKms.Probe probe = f.probe();
      ciphertexts++;
      if (plan.skipIfCurrent()
          && Objects.equals(probe.sourceContext(), probe.destinationContext())
          && kms.isCurrent(probe.ciphertext(), probe.destinationKeyId())) {
        current++;
      }
      KmsError e = answers.get(i);
      if (e != null && !e.retryable()) { // retryable: the KMS, not the settings; the run retries it
        return failed(
            e.code(),
            f.rule().path().toString(),
            e.message(),
            probe.ciphertext(),
            probe.sourceContext());
      }
    }
    return p.end() != null ? p.end() : new Outcome(true, false, null);
  }

  private static FieldEncoding encoding(FieldRule r) {
    return r.encoding() == null ? FieldEncoding.QKMS : r.encoding();
  }

  private static Outcome failed(
      String code, String field, String message, byte[] blob, Map<String, String> source) {
    return new Outcome(false, false, new Failure(code, field, message, blob, source));
  }

  private String sourceKey(FieldRule r) {
    return r.sourceKeyId() != null ? r.sourceKeyId() : plan.sourceKeyId();
  }

  private String destinationKey(FieldRule r) {
    return r.destinationKeyId() != null ? r.destinationKeyId() : plan.destinationKeyId();
  }

  private FieldRule rule(String field) {
    for (FieldRule r : plan.fields()) {
      if (r.path().toString().equals(field)) {
        return r;
      }
    }
    return null;
  }

  // ---- diagnosis -----------------------------------------------------------------------------

  /** The likely wrong setting behind {@code f}, in words a user can act on. */
  private String diagnose(Failure f) {
    FieldRule rule = f.field() == null ? null : rule(f.field());
    String message = f.message() == null || f.message().isBlank() ? "" : f.message();
    return switch (f.code()) {
      case ErrorCodes.INVALID_CIPHERTEXT -> invalidCiphertext(f, rule);
      case "IncorrectKeyException" -> {
        String header = kms.headerKeyArn(f.blob());
        yield "--sourceKeyId "
            + (rule == null ? plan.sourceKeyId() : sourceKey(rule))
            + " is not the key of these ciphertexts"
            + (header == null ? "" : ": they name " + header)
            + " (leave --sourceKeyId out to accept each ciphertext's own key)";
      }
      case "NotFoundException" ->
          message
              + " (check --sourceKeyId, --destinationKeyId and the aliases they name: `scripts/qkms"
              + " list-aliases`)";
      case "DisabledException", "KMSInvalidStateException" ->
          message + " (enable the key, or choose another)";
      case "AccessDeniedException" ->
          message
              + " ("
              + kms.caller()
              + " needs a key policy or grant allowing kms:ReEncryptFrom on the ciphertexts' key"
              + " and kms:ReEncryptTo on the destination key)";
      case ErrorCodes.CONTEXT_FIELD_MISSING ->
          message
              + " in every sampled record (check the ${field} names in the encryption contexts)";
      case ErrorCodes.INVALID_BASE64, ErrorCodes.INVALID_FIELD_TYPE ->
          message + " (check --fields: does " + f.field() + " hold the ciphertexts?)";
      default -> message.isEmpty() ? f.code() : message;
    };
  }

  private String invalidCiphertext(Failure f, FieldRule rule) {
    if (f.blob() == null || (kms.headerKeyArn(f.blob()) == null && kms.opensOnlyQkmsBlobs())) {
      return "the values of " + f.field() + " are no QKMS ciphertexts (check --fields)";
    }
    boolean sourceGiven = f.source() != null && !f.source().isEmpty();
    if (!sourceGiven) {
      return "the ciphertexts do not open without an encryption context, so they were most likely"
          + " made with one: give it with --sourceEncryptionContext (values may name record"
          + " fields, e.g. '{\"tenant\":\"${tenant_id}\"}')";
    }
    if (opensWithoutContext(f, rule)) {
      return "the ciphertexts were made without an encryption context: leave out"
          + " --sourceEncryptionContext";
    }
    ContextTemplate template =
        rule != null && rule.sourceContext() != null
            ? rule.sourceContext()
            : ContextTemplate.of(plan.sourceContext());
    return "the ciphertexts do not open with the source encryption context "
        + template
        + ": one of its keys or values (or a record field a ${...} names) differs from the"
        + " context they were made with";
  }

  private boolean opensWithoutContext(Failure f, FieldRule rule) {
    return kms.dryRun(
            new WorkerKms.Probe(
                f.blob(),
                rule == null ? null : sourceKey(rule),
                null,
                rule == null ? plan.destinationKeyId() : destinationKey(rule),
                null,
                grantTokens()))
        == null;
  }

  /** The run's grant tokens; null for none. */
  private List<String> grantTokens() {
    return plan.grantTokens().isEmpty() ? null : plan.grantTokens();
  }

  private static String suggestion(String path, Set<String> present) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String p : present) {
      int d = distance(path, p);
      if (d < bestDistance) {
        best = p;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, path.length() / 3)
        ? " (did you mean " + best + "?)"
        : "";
  }

  private static String listed(Set<String> paths) {
    List<String> list = new ArrayList<>(paths);
    return list.size() <= 20
        ? String.join(", ", list)
        : String.join(", ", list.subList(0, 20)) + ", ... (" + list.size() + " in all)";
  }

  /** Levenshtein distance: how many edits make {@code a} into {@code b}. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** For tests: the paths of a JSON object, as {@link #checkPathsPresent} sees them. */
  static Set<String> pathsOf(String jsonObject) throws JsonProcessingException {
    Set<String> paths = new TreeSet<>();
    collectPaths(JSON.readTree(jsonObject), "", paths);
    return paths;
  }
}
