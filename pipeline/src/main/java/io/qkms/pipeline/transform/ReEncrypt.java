package io.qkms.pipeline.transform;

import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.Region;
import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.deadletter.DeadLetterCoder;
import io.qkms.pipeline.fields.AvroRecords;
import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.fields.JsonLines;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.worker.ClockSource;
import io.qkms.pipeline.worker.remote.RemoteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Re-encrypts ciphertext fields of records with the QKMS engine's ReEncrypt, in the workers (the
 * plaintext never leaves the engine). A record is re-encrypted whole or not at all: if any of its
 * fields fails, the original record goes, unchanged, to the {@link Result#failures() failures} with
 * the field, a stable error code and the message.
 *
 * <pre>{@code
 * PCollection<GenericRecord> records = ...; // with an AvroCoder
 * ReEncrypt.Result<GenericRecord> result =
 *     records.apply(
 *         ReEncrypt.avroRecords()
 *             .withKeyStore("/data/qkms/keystore")
 *             .withFields("card.number", "items[].secret")
 *             .withDestinationKeyId("alias/payments-2026")
 *             .withSourceEncryptionContext(Map.of("tenant", "${tenant_id}"))
 *             .withDestinationEncryptionContext(Map.of("tenant", "${tenant_id}")));
 * result.records();   // the re-encrypted records, same schema and coder
 * result.failures();  // DeadLetter<GenericRecord>: original record, field, code, message, ...
 * }</pre>
 *
 * <p>Failures: permanent engine errors (InvalidCiphertext, IncorrectKey, NotFound, Disabled,
 * KMSInvalidState, InvalidKeyUsage, AccessDenied, InvalidGrantToken, Validation) fail the record at
 * once; transient ones (DependencyTimeout, KeyUnavailable, KMSInternal) are retried with jittered
 * exponential backoff up to {@link Records#withMaxAttempts} calls, then fail the record. When
 * several records in a row have used up their retries that way (the key store is unreadable, the
 * root key unavailable), the engine is taken to be down and the bundle fails instead, so the runner
 * retries the work or fails the job rather than dead-lettering the rest of the input. Errors that
 * are not the engine's (bugs) fail the bundle, so the runner retries it and the job fails rather
 * than losing records.
 *
 * <p>Metrics (counters in namespace {@code qkms.rekey}, see {@link
 * io.qkms.pipeline.report.ReKeyMetrics}): records in, re-encrypted, skipped as current, passed
 * through (no ciphertext), failed (and {@code failed.<code>}); fields re-encrypted, skipped and
 * null; retries; key cache hits, misses and evictions.
 */
public final class ReEncrypt {
  private ReEncrypt() {}

  /**
   * Re-encrypts Avro {@link GenericRecord}s. The input must have an {@link AvroCoder}; its schema
   * is the schema of the output. Ciphertext fields are {@code bytes} (the blob) or {@code string}
   * (base64), possibly in unions with null; each is written back in its own encoding.
   */
  public static Records<GenericRecord> avroRecords() {
    return new Records<>(true, ReEncryptConfig.defaults());
  }

  /**
   * Re-encrypts JSON Lines: each element one JSON object. Ciphertext fields hold base64 strings;
   * only those strings change in the output line.
   */
  public static Records<String> jsonLines() {
    return new Records<>(false, ReEncryptConfig.defaults());
  }

  /** The transform; see {@link ReEncrypt}. Immutable: every {@code withX} returns a new one. */
  public static final class Records<T> extends PTransform<PCollection<T>, Result<T>> {
    private static final long serialVersionUID = 1L;

    private final boolean avro;
    private final ReEncryptConfig config;

    private Records(boolean avro, ReEncryptConfig config) {
      this.avro = avro;
      this.config = config;
    }

    private Records<T> with(UnaryOperator<ReEncryptConfig.Builder> change) {
      return new Records<>(avro, change.apply(config.toBuilder()).build());
    }

    /**
     * The key store directory as the workers see it (required). Each worker opens it read-only with
     * the root key its own environment names ({@code QKMS_ROOT_KEY_FILE}, {@code QKMS_PASSPHRASE},
     * else {@code <keystore>/root.key}); no key material is part of the job.
     */
    public Records<T> withKeyStore(String directory) {
      checkArgument(
          directory != null && !directory.isBlank(),
          "withKeyStore: the key store directory must not be empty");
      return with(c -> c.keystore(directory));
    }

    /**
     * Open the key store shipped with the job as this class path resource (a jar staged with the
     * job, as {@code ReKeyJob --shipKeystore} makes it) rather than the store in the {@link
     * #withKeyStore} directory. Each worker still finds the root key in its own environment ({@code
     * QKMS_ROOT_KEY_FILE}, {@code QKMS_PASSPHRASE}, else {@code root.key} in that directory); the
     * shipped store is encrypted and authenticated under it.
     */
    public Records<T> withKeyStoreResource(String resource) {
      checkArgument(
          resource != null && !resource.isBlank() && !resource.startsWith("/"),
          "withKeyStoreResource: a class path resource name such as qkms-keystore/x/store.qks,"
              + " was %s",
          resource);
      return with(c -> c.storeResource(resource));
    }

    /**
     * Re-encrypt through a KMS endpoint instead of a key store: every worker calls {@code url}
     * (e.g. {@code http://qkms.internal:8471}, a {@code qkms serve}, or {@code
     * https://kms.us-east-1.amazonaws.com}) with the AWS SDK, signed with credentials from the
     * SDK's default chain on that worker ({@code AWS_PROFILE}, {@code AWS_SHARED_CREDENTIALS_FILE},
     * the environment), in {@link #withRegion} (default: the SDK's region chain where the pipeline
     * is built). No key material reaches the workers. One client per worker JVM.
     */
    public Records<T> withKmsEndpoint(String url) {
      checkArgument(
          url != null && (url.startsWith("http://") || url.startsWith("https://")),
          "withKmsEndpoint: an http or https URL such as http://127.0.0.1:8471, was %s",
          url);
      return with(c -> c.kmsEndpoint(url.strip()));
    }

    /**
     * A PEM file of the certificates an https endpoint's certificate must chain to (a private CA,
     * or a self-signed certificate such as {@code qkms tls-cert} writes), read on each worker: the
     * file must be there on every worker. Only this transform's client trusts them; null (the
     * default) is the JVM's trust store. Display data shows the path.
     */
    public Records<T> withKmsCaBundle(String path) {
      checkArgument(
          path == null || !path.isBlank(), "withKmsCaBundle: a file path, was \"%s\"", path);
      return with(c -> c.kmsCaBundle(path == null ? null : path.strip()));
    }

    /**
     * The whole pipeline's budget of ReEncrypt operations per second at the endpoint (each item of
     * a batch and each retry counts), split evenly among the transform's parallel workers. On
     * ThrottlingException (or a 5xx) a worker slows down (AIMD) and retries. Default 0: no budget
     * (the endpoint's throttling alone paces the job).
     */
    public Records<T> withKmsMaxRequestsPerSecond(double requestsPerSecond) {
      checkArgument(
          requestsPerSecond >= 0 && Double.isFinite(requestsPerSecond),
          "withKmsMaxRequestsPerSecond: must be 0 (none) or more, was %s",
          requestsPerSecond);
      return with(c -> c.kmsMaxRequestsPerSecond(requestsPerSecond));
    }

    /**
     * How many parallel workers share the budget. Default: the pipeline's parallelism (Flink's
     * {@code --parallelism}, the Direct runner's {@code --targetParallelism}).
     */
    public Records<T> withKmsWorkers(int workers) {
      checkArgument(workers >= 1, "withKmsWorkers: must be at least 1, was %s", workers);
      return with(c -> c.kmsWorkers(workers));
    }

    /** Requests each worker keeps in flight (asynchronous calls; a batch is one). Default 32. */
    public Records<T> withKmsMaxInFlight(int requests) {
      checkArgument(
          requests >= 1 && requests <= 10_000,
          "withKmsMaxInFlight: must be 1..10000, was %s",
          requests);
      return with(c -> c.kmsMaxInFlight(requests));
    }

    /**
     * Calls per request: 1 (the default) sends plain ReEncrypt calls, which AWS KMS answers; more
     * (up to 1,000) sends {@code QkmsService.BatchReEncrypt} requests, which only {@code qkms
     * serve} answers. Each item still counts against the budget and is retried on its own.
     */
    public Records<T> withKmsBatchSize(int calls) {
      checkArgument(
          calls >= 1 && calls <= RemoteSpec.MAX_BATCH_SIZE,
          "withKmsBatchSize: must be 1..%s, was %s",
          RemoteSpec.MAX_BATCH_SIZE,
          calls);
      return with(c -> c.kmsBatchSize(calls));
    }

    /**
     * How many ThrottlingException answers one call may get, each followed by a jittered wait,
     * before its record is dead-lettered as transient (replayable). Default 100.
     */
    public Records<T> withKmsMaxThrottledRetries(int retries) {
      checkArgument(retries >= 0, "withKmsMaxThrottledRetries: must be 0 or more, was %s", retries);
      return with(c -> c.kmsMaxThrottledRetries(retries));
    }

    /** The region to call in. Default: the key store's home region. */
    public Records<T> withRegion(String region) {
      checkArgument(
          region != null && Region.isValid(region),
          "withRegion: a region looks like us-east-1, was %s",
          region);
      return with(c -> c.region(region));
    }

    /**
     * The principal ARN to call as ({@code arn:verenc:<account>:user/<name>} or {@code :role/}).
     * Default: the account root. Key policies and grants decide what it may do.
     */
    public Records<T> withPrincipal(String principalArn) {
      checkArgument(
          Principal.tryParse(principalArn) != null,
          "withPrincipal: a principal is arn:verenc:<account>:root, :user/<name> or :role/<name>,"
              + " was %s",
          principalArn);
      return with(c -> c.principal(principalArn));
    }

    /**
     * How long the worker's engine caches keys and materials (default 60 s). It bounds how long an
     * administrator's change (DisableKey, a new policy, a rotation) takes to reach a running job;
     * zero disables caching.
     */
    public Records<T> withCacheTtl(Duration ttl) {
      checkArgument(
          ttl != null && !ttl.isNegative(), "withCacheTtl: must be zero or positive, was %s", ttl);
      return with(c -> c.cacheTtl(ttl));
    }

    /** How many keys and how many materials the worker's cache keeps (default 10,000 each). */
    public Records<T> withCacheCapacity(int capacity) {
      checkArgument(capacity >= 1, "withCacheCapacity: must be at least 1, was %s", capacity);
      return with(c -> c.cacheCapacity(capacity));
    }

    /** The clock of the worker engines (tests pass a hand-moved one). Default: system clock. */
    public Records<T> withEngineClock(ClockSource clock) {
      return with(c -> c.engineClock(clock));
    }

    /** Adds ciphertext fields by path, with the transform's default keys and contexts. */
    public Records<T> withFields(String... paths) {
      checkArgument(paths != null && paths.length > 0, "withFields: give at least one path");
      List<FieldRule> added = new ArrayList<>();
      for (String p : paths) {
        added.add(FieldRule.of(p));
      }
      return withFieldRules(added);
    }

    /** Adds ciphertext fields with settings of their own. */
    public Records<T> withFieldRules(List<FieldRule> rules) {
      checkArgument(rules != null, "withFieldRules: must not be null");
      List<FieldRule> added = List.copyOf(rules);
      return with(c -> c.addFields(added));
    }

    /**
     * The key ciphertexts must have been made under (any identifier form). Default: none, each
     * ciphertext's own key. A ciphertext under another key fails with IncorrectKeyException.
     */
    public Records<T> withSourceKeyId(String keyId) {
      checkArgument(
          keyId == null || !keyId.isBlank(), "withSourceKeyId: must not be blank, was '%s'", keyId);
      return with(c -> c.sourceKeyId(keyId));
    }

    /** The key to re-encrypt under (any identifier form). Required unless every field has one. */
    public Records<T> withDestinationKeyId(String keyId) {
      checkArgument(
          keyId != null && !keyId.isBlank(),
          "withDestinationKeyId: must not be empty, was '%s'",
          keyId);
      return with(c -> c.destinationKeyId(keyId));
    }

    /**
     * The context the ciphertexts were made with. Values may refer to fields of the same record:
     * {@code {"tenant":"${tenant_id}"}}; a record where such a field is null or absent fails with
     * {@code ContextFieldMissing}. Default: none.
     */
    public Records<T> withSourceEncryptionContext(Map<String, String> context) {
      ContextTemplate t = template("withSourceEncryptionContext", context);
      return with(c -> c.sourceContext(t));
    }

    /** The context to re-encrypt with; field references as for the source context. */
    public Records<T> withDestinationEncryptionContext(Map<String, String> context) {
      ContextTemplate t = template("withDestinationEncryptionContext", context);
      return with(c -> c.destinationContext(t));
    }

    /** Grant tokens passed with every call (at most 10). */
    public Records<T> withGrantTokens(List<String> tokens) {
      checkArgument(
          tokens != null && tokens.size() <= 10,
          "withGrantTokens: at most 10 tokens, was %s",
          tokens == null ? null : tokens.size());
      List<String> copy = List.copyOf(tokens);
      return with(c -> c.grantTokens(copy));
    }

    /**
     * When true, a ciphertext whose header names the destination key's current material, when its
     * source and destination contexts are equal (and no other source key is required), is passed
     * through unchanged and counted as skipped: re-encrypting it would only make a new nonce. That
     * makes scheduled rotation runs idempotent and cheap. The header is not authenticated by this
     * check; the ciphertext is left exactly as it was. Default false.
     */
    public Records<T> withSkipIfCurrent(boolean skip) {
      return with(c -> c.skipIfCurrent(skip));
    }

    /**
     * Re-key only the ciphertexts {@code selection} selects (by key, by age of key material); the
     * others pass through unchanged and are counted as skipped by selection. Bytes that are no QKMS
     * ciphertext are not passed through: ReEncrypt dead-letters them as without a selection. Needs
     * kms:DescribeKey on the keys named and, for an age, kms:ListKeyRotations on the keys met.
     * Default: {@link Selection#all()}.
     */
    public Records<T> withSelection(Selection selection) {
      checkArgument(selection != null, "withSelection: must not be null (use Selection.all())");
      return with(c -> c.selection(selection));
    }

    /** Calls per field before a transient engine error fails the record (default 5, 1..100). */
    public Records<T> withMaxAttempts(int attempts) {
      checkArgument(
          attempts >= 1 && attempts <= 100, "withMaxAttempts: must be 1..100, was %s", attempts);
      return with(c -> c.retry(config.retry.withMaxAttempts(attempts)).retryChanged());
    }

    /**
     * The backoff before the first retry (default 100 ms); it doubles per retry up to 5 s, and each
     * wait is a random fraction of that (jitter).
     */
    public Records<T> withInitialBackoff(Duration backoff) {
      checkArgument(
          backoff != null && !backoff.isNegative() && backoff.compareTo(Duration.ofMinutes(1)) <= 0,
          "withInitialBackoff: must be 0..1 minute, was %s",
          backoff);
      return with(c -> c.retry(config.retry.withInitialBackoff(backoff)).retryChanged());
    }

    /**
     * Also routes each failure, as a Beam {@link BadRecord} (the record encoded with the input
     * coder; the description {@code <code> at <field>: <message>}), to {@code handler}, for
     * pipelines that collect bad records in one place. {@link Result#failures()} still has them.
     */
    public Records<T> withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
      checkArgument(handler != null, "withBadRecordErrorHandler: must not be null");
      return with(c -> c.badRecordErrorHandler(handler));
    }

    /**
     * Logs {@code label: N records in S s (R records/s)} every {@code interval} from each worker
     * JVM (logger {@code io.qkms.pipeline.progress}, INFO). Default: off.
     */
    public Records<T> withProgress(String label, Duration interval) {
      checkArgument(label != null && !label.isBlank(), "withProgress: the label must not be empty");
      checkArgument(
          interval != null && !interval.isNegative() && !interval.isZero(),
          "withProgress: the interval must be positive, was %s",
          interval);
      return with(c -> c.progress(label, interval));
    }

    /**
     * Stop the run (the work fails with {@link TooManyFailuresException}) once a worker has tried
     * at least {@code minRecords} records and more than {@code fraction} of them failed: a run
     * where most records fail has wrong settings, and should not dead-letter the whole input first.
     * S3 Batch Operations' rule is (0.5, 1,000). Default: never (1.0).
     */
    public Records<T> withFailFast(double fraction, long minRecords) {
      checkArgument(
          fraction >= 0 && fraction <= 1,
          "withFailFast: the fraction must be 0..1, was %s",
          fraction);
      checkArgument(
          minRecords >= 1, "withFailFast: minRecords must be at least 1, was %s", minRecords);
      return with(c -> c.failFast(fraction, minRecords));
    }

    /**
     * How many records in a row may use up their retries on transient errors (with no successful
     * engine call between them, in one worker JVM) before the work fails instead (default 5).
     */
    Records<T> withOutageRecords(int records) {
      checkArgument(records >= 1, "withOutageRecords: must be at least 1, was %s", records);
      return with(c -> c.retry(config.retry.withOutageRecords(records)));
    }

    /** How retries wait (tests record the waits instead of sleeping). */
    Records<T> withSleeper(Backoff.Sleeper sleeper) {
      return with(c -> c.retry(config.retry.withSleeper(sleeper)));
    }

    /** The settings a pipeline's graph shows: keys, fields, contexts, region; never secrets. */
    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      super.populateDisplayData(builder);
      builder
          .add(DisplayData.item("format", avro ? "avro" : "jsonl").withLabel("Record format"))
          .addIfNotNull(DisplayData.item("keyStore", config.keystore).withLabel("Key store"))
          .addIfNotNull(
              DisplayData.item("kmsEndpoint", config.kmsEndpoint).withLabel("KMS endpoint"))
          .addIfNotNull(
              DisplayData.item("kmsCaBundle", config.kmsCaBundle)
                  .withLabel("KMS endpoint's trusted certificates (PEM file)"))
          .addIfNotNull(DisplayData.item("region", config.region).withLabel("Region"))
          .addIfNotNull(DisplayData.item("principal", config.principal).withLabel("Principal"))
          .add(
              DisplayData.item(
                      "fields",
                      String.join(
                          ",", config.fields.stream().map(f -> f.path().toString()).toList()))
                  .withLabel("Ciphertext fields"))
          .addIfNotNull(
              DisplayData.item("destinationKeyId", config.destinationKeyId)
                  .withLabel("Destination key"))
          .addIfNotNull(DisplayData.item("sourceKeyId", config.sourceKeyId).withLabel("Source key"))
          .add(
              DisplayData.item("sourceEncryptionContext", config.sourceContext.toString())
                  .withLabel("Source encryption context"))
          .add(
              DisplayData.item("destinationEncryptionContext", config.destinationContext.toString())
                  .withLabel("Destination encryption context"))
          .add(
              DisplayData.item("grantTokens", config.grantTokens.size())
                  .withLabel("Grant tokens (how many; never shown)"))
          .add(DisplayData.item("skipIfCurrent", config.skipIfCurrent).withLabel("Skip if current"))
          .add(DisplayData.item("selection", config.selection.toString()).withLabel("Selection"))
          .add(DisplayData.item("cacheTtl", config.cacheTtl.toString()).withLabel("Key cache TTL"));
    }

    @Override
    public Result<T> expand(PCollection<T> input) {
      Coder<T> coder = input.getCoder();
      Prepared<T> p = prepare(coder);
      ReEncryptConfig run = config.kmsEndpoint == null ? config : remote(input.getPipeline());
      List<ReEncryptConfig.Resolved> fields = p.fields();
      List<FieldPath> references = p.references();
      RecordFormat<T> format = p.format();

      TupleTag<T> recordsTag = new TupleTag<>("records");
      TupleTag<DeadLetter<T>> failuresTag = new TupleTag<>("failures");
      PCollectionTuple out =
          input.apply(
              "ReEncryptFields",
              ParDo.of(new ReEncryptFn<>(run, fields, references, format, recordsTag, failuresTag))
                  .withOutputTags(recordsTag, TupleTagList.of(failuresTag)));
      PCollection<T> records = out.get(recordsTag).setCoder(coder);
      PCollection<DeadLetter<T>> failures =
          out.get(failuresTag).setCoder(DeadLetterCoder.of(coder));
      if (config.badRecordErrorHandler != null) {
        config.badRecordErrorHandler.addErrorCollection(
            failures
                .apply("ToBadRecords", ParDo.of(new ToBadRecordFn<>(coder)))
                .setCoder(BadRecord.getCoder(input.getPipeline())));
      }
      return new Result<>(input.getPipeline(), records, recordsTag, failures, failuresTag);
    }

    /** What the workers run with, after every check that can be made before they run. */
    private record Prepared<T>(
        List<ReEncryptConfig.Resolved> fields,
        List<FieldPath> references,
        RecordFormat<T> format) {}

    private Prepared<T> prepare(Coder<T> coder) {
      checkState(
          config.keystore != null || config.kmsEndpoint != null,
          "ReEncrypt: withKeyStore(...) or withKmsEndpoint(...) is required");
      checkState(
          config.kmsCaBundle == null
              || (config.kmsEndpoint != null && config.kmsEndpoint.startsWith("https://")),
          "ReEncrypt: withKmsCaBundle(...) applies to an https withKmsEndpoint(...), was %s",
          config.kmsEndpoint);
      checkState(!config.fields.isEmpty(), "ReEncrypt: no ciphertext fields; use withFields(...)");
      List<ReEncryptConfig.Resolved> fields = config.resolvedFields();
      List<FieldPath> paths = new ArrayList<>();
      for (ReEncryptConfig.Resolved f : fields) {
        checkState(
            f.destinationKeyId() != null,
            "ReEncrypt: field %s has no destination key; use withDestinationKeyId(...)",
            f.path());
        checkState(!paths.contains(f.path()), "ReEncrypt: field %s is named twice", f.path());
        for (FieldPath p : paths) {
          checkState(
              !p.isPrefixOf(f.path()) && !f.path().isPrefixOf(p),
              "ReEncrypt: fields %s and %s overlap (one lies inside the other)",
              p,
              f.path());
        }
        paths.add(f.path());
      }
      List<FieldPath> references = ReEncryptConfig.references(fields);
      for (FieldPath r : references) {
        checkState(
            !paths.contains(r),
            "ReEncrypt: the context refers to ${%s}, which is a ciphertext field",
            r);
      }
      RecordFormat<T> format = format(coder);
      try {
        format.compile(paths, references); // fails now, not on the workers, for a bad path
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("ReEncrypt: " + e.getMessage(), e);
      }
      return new Prepared<>(fields, references, format);
    }

    /**
     * This transform's per-record work for a DoFn that processes whole shards of input itself (a
     * resumable run commits each shard's outputs at once): the same settings, checks, engine,
     * counters and outcomes as {@link #expand}, without a ParDo of its own.
     *
     * @param coder the records' coder (an {@code AvroCoder} for {@link #avroRecords()})
     * @param pipeline the pipeline of the DoFn (a remote KMS's budget is split by its parallelism)
     */
    public RecordReKeyer<T> reKeyer(Coder<T> coder, Pipeline pipeline) {
      Prepared<T> p = prepare(coder);
      ReEncryptConfig run = config.kmsEndpoint == null ? config : remote(pipeline);
      TupleTag<T> recordsTag = new TupleTag<>("records");
      TupleTag<DeadLetter<T>> failuresTag = new TupleTag<>("failures");
      return new RecordReKeyer<>(
          new ReEncryptFn<>(run, p.fields(), p.references(), p.format(), recordsTag, failuresTag),
          recordsTag,
          failuresTag);
    }

    /**
     * The settings of a remote run, completed where the pipeline is built: the region (from the
     * SDK's chain if not given) and the workers the budget is split among.
     */
    private ReEncryptConfig remote(Pipeline pipeline) {
      checkState(
          config.keystore == null && config.storeResource == null,
          "ReEncrypt: withKmsEndpoint(...) and withKeyStore(...) exclude each other");
      checkState(
          config.principal == null,
          "ReEncrypt: with withKmsEndpoint(...) the caller is the credentials' principal;"
              + " withPrincipal(...) applies to a key store only");
      String region = config.region;
      if (region == null) {
        try {
          region = new DefaultAwsRegionProviderChain().getRegion().id();
        } catch (RuntimeException e) {
          throw new IllegalStateException(
              "ReEncrypt: withKmsEndpoint(...) needs withRegion(...) (or AWS_REGION)", e);
        }
      }
      int workers = config.kmsWorkers > 0 ? config.kmsWorkers : workers(pipeline.getOptions());
      String r = region;
      ReEncryptConfig c = config.toBuilder().region(r).kmsWorkers(workers).build();
      c.remoteSpec(); // checks the settings now, not on the workers
      return c;
    }

    /** The pipeline's parallelism: Flink's, else the Direct runner's, else 1. */
    static int workers(PipelineOptions options) {
      int flink = options.as(FlinkPipelineOptions.class).getParallelism();
      if (flink > 0 && options.getRunner().getSimpleName().startsWith("Flink")) {
        return flink;
      }
      if (options.getRunner().getSimpleName().startsWith("Direct")) {
        return Math.max(1, options.as(DirectOptions.class).getTargetParallelism());
      }
      return Math.max(1, flink);
    }

    @SuppressWarnings("unchecked")
    private RecordFormat<T> format(Coder<T> coder) {
      if (!avro) {
        return (RecordFormat<T>) JsonLines.create();
      }
      checkState(
          coder instanceof AvroCoder<?>,
          "ReEncrypt.avroRecords(): the input needs an AvroCoder of GenericRecord, has %s",
          coder);
      return (RecordFormat<T>) AvroRecords.of(((AvroCoder<?>) coder).getSchema());
    }

    private static ContextTemplate template(String setter, Map<String, String> context) {
      checkArgument(context != null, "%s: must not be null (use an empty map)", setter);
      try {
        return ContextTemplate.of(context);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(setter + ": " + e.getMessage(), e);
      }
    }
  }

  /** The re-encrypted records and the failures, each with its coder set. */
  public static final class Result<T> implements POutput {
    private final Pipeline pipeline;
    private final PCollection<T> records;
    private final TupleTag<T> recordsTag;
    private final PCollection<DeadLetter<T>> failures;
    private final TupleTag<DeadLetter<T>> failuresTag;

    private Result(
        Pipeline pipeline,
        PCollection<T> records,
        TupleTag<T> recordsTag,
        PCollection<DeadLetter<T>> failures,
        TupleTag<DeadLetter<T>> failuresTag) {
      this.pipeline = pipeline;
      this.records = records;
      this.recordsTag = recordsTag;
      this.failures = failures;
      this.failuresTag = failuresTag;
    }

    /** The records with every ciphertext field re-encrypted (or passed through as documented). */
    public PCollection<T> records() {
      return records;
    }

    /** The records that could not be re-encrypted, unchanged, each with why. */
    public PCollection<DeadLetter<T>> failures() {
      return failures;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return Map.of(recordsTag, records, failuresTag, failures);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName,
        org.apache.beam.sdk.values.PInput input,
        PTransform<?, ?> transform) {}
  }

  static void checkArgument(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(message, args));
    }
  }

  static void checkState(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new IllegalStateException(String.format(message, args));
    }
  }
}
