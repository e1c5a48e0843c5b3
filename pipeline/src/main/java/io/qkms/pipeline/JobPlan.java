package io.qkms.pipeline;

import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.transform.FieldRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * A job's settings, resolved and checked before anything runs: the input files and their format
 * (and, for Avro, the writer schema of the first file), the run directories, the fields with their
 * keys and contexts (flags merged with the spec file), and the engine's settings: a key store, or a
 * remote KMS ({@code kms}, null for a key store).
 */
record JobPlan(
    String inputPattern,
    List<InputFile> inputFiles,
    boolean replay,
    InputFormat format,
    Schema recordSchema,
    Schema deadLetterInputSchema,
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
    KmsEndpoint kms) {

  enum InputFormat {
    AVRO,
    JSONL;

    String extension() {
      return this == AVRO ? ".avro" : ".jsonl";
    }
  }

  /**
   * @throws IllegalArgumentException naming the option and what is wrong with it
   */
  static JobPlan from(ReKeyOptions o) {
    boolean replay = o.getReplayDeadLetters() != null && !o.getReplayDeadLetters().isBlank();
    if (replay == (o.getInput() != null && !o.getInput().isBlank())) {
      throw new IllegalArgumentException(
          "Give either --input or --replayDeadLetters (exactly one of them)");
    }
    String pattern =
        replay
            ? replayPattern(absolute(o.getReplayDeadLetters()))
            : inputPattern(absolute(o.getInput()));
    List<MatchResult.Metadata> files = match(pattern, replay ? "--replayDeadLetters" : "--input");
    InputFormat format = format(o.getInputFormat(), pattern, files);
    if (format == InputFormat.AVRO) {
      checkWholeAvro(files, replay ? "--replayDeadLetters" : "--input");
    }

    Schema recordSchema = null;
    Schema deadLetterSchema = null;
    if (format == InputFormat.AVRO) {
      Schema first = writerSchema(files.get(0).resourceId());
      if (replay) {
        deadLetterSchema = first;
        recordSchema = DeadLetterFiles.recordSchemaOf(first);
      } else {
        if (DeadLetterFiles.isDeadLetterSchema(first)) {
          throw new IllegalArgumentException(
              "The input files are dead letters: replay them with --replayDeadLetters");
        }
        if (first.getType() != Schema.Type.RECORD) {
          throw new IllegalArgumentException(
              "The Avro input must hold records; "
                  + files.get(0).resourceId()
                  + " holds "
                  + first.getType());
        }
        recordSchema = first;
      }
    }

    KmsEndpoint kms = KmsEndpoint.from(o);
    String output = absolute(o.getOutput());
    checkFreshOutput(output, "--output");
    String deadLetter;
    if (o.getDeadLetter() != null && !o.getDeadLetter().isBlank()) {
      deadLetter = absolute(o.getDeadLetter());
      checkFreshOutput(deadLetter, "--deadLetter");
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
    fields.addAll(byPath.values());
    if (fields.isEmpty()) {
      throw new IllegalArgumentException(
          "No ciphertext fields: give --fields (e.g. --fields=card.number) or a --spec with fields");
    }

    String destinationKeyId =
        first(o.getDestinationKeyId(), spec == null ? null : spec.destinationKeyId());
    for (FieldRule r : fields) {
      if (r.destinationKeyId() == null && destinationKeyId == null) {
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
    checkDestinationContextGiven(
        fields,
        sourceContext,
        destinationFlag != null || (spec != null && spec.destinationEncryptionContext() != null));
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
        files.stream().map(f -> new InputFile(f.resourceId().toString(), f.sizeBytes())).toList(),
        replay,
        format,
        recordSchema,
        deadLetterSchema,
        output,
        deadLetter,
        List.copyOf(fields),
        first(o.getSourceKeyId(), spec == null ? null : spec.sourceKeyId()),
        destinationKeyId,
        sourceContext,
        destinationContext,
        grantTokens,
        absolute(o.getKeystore()),
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
        kms);
  }

  /**
   * A source context without a destination context would silently write every new ciphertext
   * without one, so the destination context must be given, if only as {@code {}}.
   */
  private static void checkDestinationContextGiven(
      List<FieldRule> fields, Map<String, String> sourceContext, boolean destinationGiven) {
    for (FieldRule r : fields) {
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
    if (isLocalDirectory(p)) {
      return Path.of(p).resolve(DeadLetterFiles.PREFIX + "-*").toString();
    }
    return p;
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

  private static InputFormat format(
      String given, String pattern, List<MatchResult.Metadata> files) {
    if (given != null && !given.isBlank()) {
      return switch (given.strip().toLowerCase(Locale.ROOT)) {
        case "avro" -> InputFormat.AVRO;
        case "jsonl", "json", "ndjson" -> InputFormat.JSONL;
        default ->
            throw new IllegalArgumentException(
                "--inputFormat must be avro or jsonl, was '" + given + "'");
      };
    }
    InputFormat f = byExtension(pattern);
    if (f == null) {
      f = byExtension(files.get(0).resourceId().getFilename());
    }
    if (f == null) {
      throw new IllegalArgumentException(
          "Cannot tell the input format from the file names: give --inputFormat=avro or jsonl");
    }
    return f;
  }

  private static InputFormat byExtension(String name) {
    if (name == null) {
      return null;
    }
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".avro")) {
      return InputFormat.AVRO;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) {
      return InputFormat.JSONL;
    }
    return null;
  }

  /**
   * Every file has a valid Avro header and ends with its sync marker: a file cut off inside a block
   * fails here, naming it and the offsets, rather than being read short.
   */
  private static void checkWholeAvro(List<MatchResult.Metadata> files, String flag) {
    for (MatchResult.Metadata f : files) {
      try {
        io.qkms.pipeline.read.AvroContainer.checkWhole(f.resourceId().toString(), f.sizeBytes());
      } catch (IOException e) {
        throw new IllegalArgumentException(flag + ": " + e.getMessage());
      }
    }
  }

  /** The writer schema of an Avro container file (from its header). */
  static Schema writerSchema(ResourceId file) {
    try (InputStream in = Channels.newInputStream(FileSystems.open(file));
        DataFileStream<GenericRecord> s = new DataFileStream<>(in, new GenericDatumReader<>())) {
      return s.getSchema();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read the Avro schema of " + file + ": " + e.getMessage());
    }
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
    try {
      MatchResult m =
          FileSystems.match(
              dir.resolve("*", StandardResolveOptions.RESOLVE_FILE).toString(),
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
      // A directory that cannot be listed yet (it does not exist) is fine.
    }
  }
}
