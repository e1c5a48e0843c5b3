package io.qkms.pipeline;

import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.formats.Format;
import io.qkms.pipeline.formats.Formats;
import io.qkms.pipeline.formats.RecordFiles;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.s3.S3Buckets;
import io.qkms.pipeline.transform.FieldEncoding;
import io.qkms.pipeline.transform.FieldRule;
import io.qkms.pipeline.transform.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * A job's settings, resolved and checked before anything runs: the input files and their format
 * (the {@link RecordFiles} of the run: schema, how the files are read and written), the run
 * directories, the fields with their keys and contexts (flags merged with the spec file), and the
 * engine's settings: a key store, or a remote KMS ({@code kms}, null for a key store).
 */
record JobPlan(
    String inputPattern,
    List<InputFile> inputFiles,
    RecordFiles<?> input,
    String output,
    String deadLetter,
    List<FieldRule> fields,
    String sourceKeyId,
    String destinationKeyId,
    Map<String, String> sourceContext,
    Map<String, String> destinationContext,
    List<String> grantTokens,
    String keystore,
    boolean shipKeystore,
    String region,
    String principal,
    boolean skipIfCurrent,
    Duration cacheTtl,
    int cacheCapacity,
    double maxDeadLetterFraction,
    int progressSeconds,
    boolean checkCommitted,
    boolean allowAbsentFields,
    String runId,
    Selection selection,
    Mode mode,
    KmsEndpoint kms) {

  /** What the command does: re-key, count references (--census), or estimate (--estimateOnly). */
  enum Mode {
    REKEY,
    CENSUS,
    ESTIMATE
  }

  /** This plan with another selection (a resumed run keeps its first attempt's time). */
  JobPlan withSelection(Selection s) {
    return new JobPlan(
        inputPattern,
        inputFiles,
        input,
        output,
        deadLetter,
        fields,
        sourceKeyId,
        destinationKeyId,
        sourceContext,
        destinationContext,
        grantTokens,
        keystore,
        shipKeystore,
        region,
        principal,
        skipIfCurrent,
        cacheTtl,
        cacheCapacity,
        maxDeadLetterFraction,
        progressSeconds,
        checkCommitted,
        allowAbsentFields,
        runId,
        s,
        mode,
        kms);
  }

  /** The keys the run re-encrypts under: each field's own, else the plan's; in field order. */
  Set<String> destinationKeys() {
    Set<String> keys = new LinkedHashSet<>();
    for (FieldRule f : fields()) {
      keys.add(f.destinationKeyId() != null ? f.destinationKeyId() : destinationKeyId());
    }
    return keys;
  }

  /** Whether the input is dead letters of an earlier run. */
  boolean replay() {
    return input.replay();
  }

  /** The format of the run's records (its output's). */
  Format format() {
    return input.format();
  }

  /**
   * @throws IllegalArgumentException naming the option and what is wrong with it
   */
  static JobPlan from(ReKeyOptions o) {
    return from(o, Clock.systemUTC());
  }

  /**
   * @param clock the "now" that durations in the options count back from
   */
  static JobPlan from(ReKeyOptions o, Clock clock) {
    if (o.getCensus() && o.getEstimateOnly()) {
      throw new IllegalArgumentException("Give --census or --estimateOnly, not both");
    }
    Mode mode = o.getCensus() ? Mode.CENSUS : o.getEstimateOnly() ? Mode.ESTIMATE : Mode.REKEY;
    Selection selection = selection(o, clock);
    if (mode == Mode.CENSUS && !selection.selectsAll()) {
      throw new IllegalArgumentException(
          "--census counts every ciphertext: leave out --onlySourceKeys and"
              + " --onlyMaterialsCreatedBefore");
    }
    boolean replay = o.getReplayDeadLetters() != null && !o.getReplayDeadLetters().isBlank();
    if (replay == (o.getInput() != null && !o.getInput().isBlank())) {
      throw new IllegalArgumentException(
          "Give either --input or --replayDeadLetters (exactly one of them)");
    }
    Map<String, String> locations = new LinkedHashMap<>();
    locations.put(
        replay ? "--replayDeadLetters" : "--input",
        replay ? o.getReplayDeadLetters() : o.getInput());
    locations.put("--output", o.getOutput());
    locations.put("--deadLetter", o.getDeadLetter());
    S3Buckets.check(o, locations);
    String pattern =
        replay
            ? replayPattern(absolute(o.getReplayDeadLetters()))
            : inputPattern(absolute(o.getInput()));
    String flag = replay ? "--replayDeadLetters" : "--input";
    List<InputFile> files =
        match(pattern, flag).stream()
            .map(f -> new InputFile(f.resourceId().toString(), f.sizeBytes()))
            .toList();
    RecordFiles<?> input =
        replay
            ? Formats.replay(pattern, files, flag)
            : format(o.getInputFormat(), pattern, files).input(pattern, files, flag);

    // A census reads headers only: a key store is optional and an endpoint is never called.
    KmsEndpoint kms = mode == Mode.CENSUS ? null : KmsEndpoint.from(o);
    String output = absolute(o.getOutput());
    if (!o.getResume()) { // a resumed run's output holds the run (ResumableRun checks it)
      checkFreshOutput(output, "--output");
    }
    String deadLetter;
    if (o.getDeadLetter() != null && !o.getDeadLetter().isBlank()) {
      deadLetter = absolute(o.getDeadLetter());
      if (!o.getResume()) {
        checkFreshOutput(deadLetter, "--deadLetter");
      }
    } else {
      deadLetter =
          FileSystems.matchNewResource(output, true)
              .resolve("dead-letter", StandardResolveOptions.RESOLVE_DIRECTORY)
              .toString();
    }

    JobSpec spec = o.getSpec() == null ? null : JobSpec.read(Path.of(o.getSpec()));
    List<FieldRule> fields = new ArrayList<>();
    Map<String, FieldRule> byPath = new LinkedHashMap<>();
    if (spec != null) {
      for (FieldRule r : spec.fields()) {
        if (byPath.put(r.path().toString(), r) != null) {
          throw new IllegalArgumentException("The job spec names field " + r.path() + " twice");
        }
      }
    }
    if (o.getFields() != null) {
      for (String f : o.getFields()) {
        if (f.isBlank()) {
          continue;
        }
        FieldRule r;
        try {
          r = FieldRule.of(f);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--fields: " + e.getMessage());
        }
        byPath.putIfAbsent(r.path().toString(), r);
      }
    }
    FieldEncoding defaultEncoding;
    try {
      defaultEncoding =
          o.getFieldEncoding() == null
              ? FieldEncoding.QKMS
              : FieldEncoding.parse(o.getFieldEncoding());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--fieldEncoding: " + e.getMessage());
    }
    for (FieldRule r : byPath.values()) {
      fields.add(r.encoding() == null ? r.withEncoding(defaultEncoding) : r);
    }
    checkEnvelopeContexts(fields);
    if (fields.isEmpty()) {
      throw new IllegalArgumentException(
          "No ciphertext fields: give --fields (e.g. --fields=card.number) or a --spec with fields");
    }

    String destinationKeyId =
        first(o.getDestinationKeyId(), spec == null ? null : spec.destinationKeyId());
    for (FieldRule r : fields) {
      if (r.destinationKeyId() == null && destinationKeyId == null && mode != Mode.CENSUS) {
        throw new IllegalArgumentException(
            "No destination key for field " + r.path() + ": give --destinationKeyId");
      }
    }
    Map<String, String> sourceContext =
        firstContext(
            JobSpec.parseContextFlag(o.getSourceEncryptionContext(), "sourceEncryptionContext"),
            spec == null ? null : spec.sourceEncryptionContext());
    Map<String, String> destinationFlag =
        JobSpec.parseContextFlag(
            o.getDestinationEncryptionContext(), "destinationEncryptionContext");
    Map<String, String> destinationContext =
        firstContext(destinationFlag, spec == null ? null : spec.destinationEncryptionContext());
    if (mode != Mode.CENSUS) {
      checkDestinationContextGiven(
          fields,
          sourceContext,
          destinationFlag != null || (spec != null && spec.destinationEncryptionContext() != null));
    }
    List<String> grantTokens =
        o.getGrantTokens() != null && !o.getGrantTokens().isEmpty()
            ? List.copyOf(o.getGrantTokens())
            : spec != null && spec.grantTokens() != null ? spec.grantTokens() : List.of();

    if (o.getCacheCapacity() < 1) {
      throw new IllegalArgumentException(
          "--cacheCapacity must be at least 1, was " + o.getCacheCapacity());
    }
    double maxFraction = o.getMaxDeadLetterFraction();
    if (!(maxFraction >= 0 && maxFraction <= 1)) {
      throw new IllegalArgumentException(
          "--maxDeadLetterFraction must be between 0 and 1, was " + maxFraction);
    }
    if (o.getProgressSeconds() < 0) {
      throw new IllegalArgumentException("--progressSeconds must be 0 or more");
    }
    return new JobPlan(
        pattern,
        files,
        input,
        output,
        deadLetter,
        List.copyOf(fields),
        first(o.getSourceKeyId(), spec == null ? null : spec.sourceKeyId()),
        destinationKeyId,
        sourceContext,
        destinationContext,
        grantTokens,
        o.getKeystore() == null || o.getKeystore().isBlank() ? null : absolute(o.getKeystore()),
        o.getShipKeystore(),
        blankToNull(o.getRegion()),
        blankToNull(o.getPrincipal()),
        o.getSkipIfCurrent(),
        Durations.parse(o.getCacheTtl(), "cacheTtl"),
        o.getCacheCapacity(),
        maxFraction,
        o.getProgressSeconds(),
        o.getCheckCommitted(),
        o.getAllowAbsentFields(),
        UUID.randomUUID().toString().substring(0, 8),
        selection,
        mode,
        kms);
  }

  /**
   * The run's selection from --onlySourceKeys and --onlyMaterialsCreatedBefore (a duration counts
   * back from {@code clock}'s now, once, here: every worker then uses the same time).
   */
  private static Selection selection(ReKeyOptions o, Clock clock) {
    Selection s = Selection.all();
    if (o.getOnlySourceKeys() != null) {
      List<String> keys = new ArrayList<>();
      for (String k : o.getOnlySourceKeys()) {
        keys.add(k == null ? "" : k.strip());
      }
      try {
        s = s.withSourceKeys(keys);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--onlySourceKeys: " + e.getMessage());
      }
    }
    if (o.getOnlyMaterialsCreatedBefore() != null) {
      try {
        s =
            s.withMaterialsCreatedBefore(
                Selection.parseTime(o.getOnlyMaterialsCreatedBefore(), clock));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--onlyMaterialsCreatedBefore: " + e.getMessage());
      }
    }
    return s;
  }

  /**
   * The fields and what each holds, for the report: {@code card.number qkms, doc tink-envelope}.
   */
  static String describeFields(List<FieldRule> fields) {
    return String.join(
        ", ",
        fields.stream()
            .map(
                r ->
                    r.path()
                        + " "
                        + (r.encoding() == null ? FieldEncoding.QKMS : r.encoding()).label())
            .toList());
  }

  /**
   * Tink encrypts an envelope's data key with the empty context, so a context of a {@code
   * tink-envelope} field's own could only fail every record (default contexts do not apply to it).
   */
  private static void checkEnvelopeContexts(List<FieldRule> fields) {
    for (FieldRule r : fields) {
      if (r.encoding() == FieldEncoding.TINK_ENVELOPE
          && ((r.sourceContext() != null && !r.sourceContext().isEmpty())
              || (r.destinationContext() != null && !r.destinationContext().isEmpty()))) {
        throw new IllegalArgumentException(
            "Field "
                + r.path()
                + " is a tink-envelope: its data key is encrypted with the empty encryption"
                + " context (Tink's), so it takes no context of its own");
      }
    }
  }

  /**
   * A source context without a destination context would silently write every new ciphertext
   * without one, so the destination context must be given, if only as {@code {}}.
   */
  private static void checkDestinationContextGiven(
      List<FieldRule> fields, Map<String, String> sourceContext, boolean destinationGiven) {
    for (FieldRule r : fields) {
      if (r.encoding() == FieldEncoding.TINK_ENVELOPE) {
        continue;
      }
      boolean source =
          r.sourceContext() != null ? !r.sourceContext().isEmpty() : !sourceContext.isEmpty();
      if (source && r.destinationContext() == null && !destinationGiven) {
        ContextTemplate example =
            r.sourceContext() != null ? r.sourceContext() : ContextTemplate.of(sourceContext);
        throw new IllegalArgumentException(
            "Field "
                + r.path()
                + " has a source encryption context but no destination context: the new"
                + " ciphertexts would have none. Give the context to re-encrypt with (usually"
                + " the same: --destinationEncryptionContext='"
                + example
                + "'), or --destinationEncryptionContext={} for none");
      }
    }
  }

  /**
   * A local path made absolute here, on the launcher: workers on a cluster run in directories of
   * their own, where a relative path would name something else. URLs ({@code s3://...}) pass.
   */
  static String absolute(String path) {
    if (path == null || path.isBlank()) {
      return path;
    }
    String p = path.strip();
    if (p.contains("://")) {
      return p;
    }
    return Path.of(p).toAbsolutePath().normalize().toString();
  }

  private static String first(String flag, String spec) {
    return flag != null && !flag.isBlank() ? flag.strip() : spec;
  }

  private static Map<String, String> firstContext(
      Map<String, String> flag, Map<String, String> spec) {
    return flag != null ? flag : spec != null ? spec : Map.of();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /**
   * A local directory means its {@code part-*} files if it has any (the output of an earlier run,
   * which also holds report.json and _SUCCESS), else every file in it.
   */
  private static String inputPattern(String input) {
    String p = input.strip();
    if (isRemoteDirectory(p)) {
      String parts = p + DeadLetterFiles.PREFIX + "-*";
      return matchesAny(parts) ? parts : p + "*";
    }
    if (isLocalDirectory(p)) {
      try (var files = Files.list(Path.of(p))) {
        boolean parts = files.anyMatch(f -> f.getFileName().toString().startsWith("part-"));
        return Path.of(p).resolve(parts ? "part-*" : "*").toString();
      } catch (IOException e) {
        throw new IllegalArgumentException("--input: cannot list " + p + ": " + e.getMessage());
      }
    }
    return p;
  }

  /** A dead-letter directory means its part files. */
  private static String replayPattern(String deadLetters) {
    String p = deadLetters.strip();
    if (p.contains("://") && !hasWildcard(p) && Formats.byFileName(p) == null) {
      return (p.endsWith("/") ? p : p + "/") + DeadLetterFiles.PREFIX + "-*";
    }
    if (isLocalDirectory(p)) {
      return Path.of(p).resolve(DeadLetterFiles.PREFIX + "-*").toString();
    }
    return p;
  }

  /** An object store "directory": a URL ending with {@code /}, without wildcards. */
  private static boolean isRemoteDirectory(String p) {
    return p.contains("://") && p.endsWith("/") && !hasWildcard(p);
  }

  private static boolean hasWildcard(String p) {
    return p.contains("*") || p.contains("?") || p.contains("[");
  }

  private static boolean matchesAny(String pattern) {
    try {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isLocalDirectory(String p) {
    if (p.contains("://") || p.contains("*") || p.contains("?")) {
      return false;
    }
    return Files.isDirectory(Path.of(p));
  }

  private static List<MatchResult.Metadata> match(String pattern, String flag) {
    List<MatchResult.Metadata> files;
    try {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      files =
          m.status() == MatchResult.Status.OK ? new ArrayList<>(m.metadata()) : new ArrayList<>();
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + ": cannot list " + pattern + ": " + e.getMessage());
    }
    files.removeIf(f -> f.resourceId().isDirectory());
    if (files.isEmpty()) {
      throw new IllegalArgumentException(flag + ": no files match " + pattern);
    }
    files.sort(Comparator.comparing(f -> f.resourceId().toString()));
    return files;
  }

  private static Format format(String given, String pattern, List<InputFile> files) {
    if (given != null && !given.isBlank()) {
      return Formats.named(given);
    }
    Format f = Formats.byFileName(pattern);
    if (f == null) {
      f = Formats.byFileName(files.get(0).path());
    }
    if (f == null) {
      throw new IllegalArgumentException(
          "Cannot tell the input format from the file names: give --inputFormat="
              + Formats.choices().replace(", ", " | ").replace(" or ", " | "));
    }
    return f;
  }

  /** A run writes into a new or empty directory, so one run's files never mix with another's. */
  private static void checkFreshOutput(String output, String flag) {
    if (!output.contains("://")) {
      Path local = Path.of(output);
      if (Files.exists(local) && !Files.isDirectory(local)) {
        throw new IllegalArgumentException(
            flag + " " + output + " is a file: give a new (or empty) directory for the run");
      }
    }
    ResourceId dir = FileSystems.matchNewResource(output, true);
    boolean remote = output.contains("://");
    try {
      // On an object store a "directory" is a key prefix: every object under it counts.
      MatchResult m =
          FileSystems.match(
              dir.resolve(remote ? "**" : "*", StandardResolveOptions.RESOLVE_FILE).toString(),
              EmptyMatchTreatment.ALLOW);
      if (m.status() == MatchResult.Status.OK && !m.metadata().isEmpty()) {
        boolean report =
            m.metadata().stream()
                .anyMatch(f -> ReKeyJob.REPORT_FILE.equals(f.resourceId().getFilename()));
        boolean success =
            m.metadata().stream()
                .anyMatch(f -> ReKeyJob.SUCCESS_FILE.equals(f.resourceId().getFilename()));
        throw new IllegalArgumentException(
            flag
                + " "
                + output
                + " is not empty"
                + (success
                    ? ": it holds a finished run"
                    : report ? ": it holds the report of a failed run" : "")
                + "; each run writes into a new directory: give another "
                + flag);
      }
    } catch (IOException e) {
      if (remote) {
        throw new IllegalArgumentException(
            flag + " " + output + ": cannot list it to check that it is empty: " + e.getMessage());
      }
      // A local directory that cannot be listed yet (it does not exist) is fine.
    }
  }
}
