package io.qkms.pipeline;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * The re-key job's options ({@code --help} lists them). The runner's own options (Flink's {@code
 * --parallelism}, {@code --flinkMaster}, ...) are accepted too.
 */
public interface ReKeyOptions extends PipelineOptions {
  @Description(
      "Input file pattern: Avro container files or JSON Lines (e.g. /data/in/*.avro). A directory"
          + " means its part-* files (an earlier run's output) if it has any, else every file.")
  String getInput();

  void setInput(String value);

  @Description("avro | jsonl. Default: from the input's extension (.avro; .jsonl, .json, .ndjson).")
  String getInputFormat();

  void setInputFormat(String value);

  @Description(
      "The run directory (must be new or empty): re-encrypted records part-*, then report.json"
          + " and, when every check passed, _SUCCESS.")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Where the dead letters go. Default: <output>/dead-letter.")
  String getDeadLetter();

  void setDeadLetter(String value);

  @Description(
      "Comma-separated paths of the ciphertext fields: card.number,items[].secret (a[] = every"
          + " element of array a). Fields of --spec are added.")
  List<String> getFields();

  void setFields(List<String> value);

  @Description(
      "What the ciphertext fields hold: qkms (a whole QKMS blob), tink-envelope (Tink's"
          + " KmsEnvelopeAead ciphertext: only its encrypted data key is re-encrypted, with the"
          + " empty context) or edk-column (an encrypted data key on its own). A spec field's"
          + " encoding overrides it. Default: qkms.")
  String getFieldEncoding();

  void setFieldEncoding(String value);

  @Description("The key to re-encrypt under: key ID, key ARN, alias name or alias ARN.")
  String getDestinationKeyId();

  void setDestinationKeyId(String value);

  @Description(
      "The key the ciphertexts must have been made under (IncorrectKeyException otherwise)."
          + " Default: each ciphertext's own key.")
  String getSourceKeyId();

  void setSourceKeyId(String value);

  @Description(
      "The encryption context of the ciphertexts, a JSON object. Values may refer to fields of"
          + " the same record: {\"tenant\":\"${tenant_id}\"}; $$ is a literal $.")
  String getSourceEncryptionContext();

  void setSourceEncryptionContext(String value);

  @Description("The encryption context to re-encrypt with; JSON object, field references allowed.")
  String getDestinationEncryptionContext();

  void setDestinationEncryptionContext(String value);

  @Description("Comma-separated grant tokens sent with every call (at most 10).")
  List<String> getGrantTokens();

  void setGrantTokens(List<String> value);

  @Description(
      "The key store directory (made by `qkms init`), as the workers see it. Each worker finds the"
          + " root key as the CLI does: QKMS_ROOT_KEY_FILE, else QKMS_PASSPHRASE, else"
          + " <keystore>/root.key. Required, except for --census or with --kmsEndpoint.")
  String getKeystore();

  void setKeystore(String value);

  @Description(
      "Ship the key store with the job instead of reading --keystore on every worker: its store"
          + " file alone (encrypted and authenticated under the root key; never the root key) is"
          + " packed in a small jar staged with the job. Each worker still finds the root key in"
          + " its own environment (QKMS_ROOT_KEY_FILE, QKMS_PASSPHRASE, else <keystore>/root.key)."
          + " Flink session clusters only (--flinkMaster=host:port).")
  @Default.Boolean(false)
  boolean getShipKeystore();

  void setShipKeystore(boolean value);

  @Description(
      "After the run, count the records in the input, output and dead-letter files (Avro block"
          + " headers, lines; nothing is decoded) and check them against the runner's metrics:"
          + " the report then rests on what was committed, not on what the runner counted.")
  @Default.Boolean(true)
  boolean getCheckCommitted();

  void setCheckCommitted(boolean value);

  @Description(
      "The region to call in. Default: the key store's home region; with --kmsEndpoint, the AWS"
          + " SDK's region chain (AWS_REGION, the profile's region).")
  String getRegion();

  void setRegion(String value);

  @Description(
      "The principal ARN to call as (arn:verenc:<account>:user/<name> or :role/<name>). Default:"
          + " the account root.")
  String getPrincipal();

  void setPrincipal(String value);

  @Description(
      "Pass through, unchanged and counted, every ciphertext already under the destination key's"
          + " current material (when source and destination contexts are equal): scheduled"
          + " rotation runs become idempotent and cheap.")
  @Default.Boolean(false)
  boolean getSkipIfCurrent();

  void setSkipIfCurrent(boolean value);

  @Description(
      "How long workers cache keys and materials (e.g. 60s, 5m, PT1M). Also how long an"
          + " administrator's change (DisableKey, rotation) may take to reach a running job.")
  @Default.String("60s")
  String getCacheTtl();

  void setCacheTtl(String value);

  @Description("How many keys and how many materials each worker caches.")
  @Default.Integer(10_000)
  int getCacheCapacity();

  void setCacheCapacity(int value);

  @Description(
      "Fail the run (exit 4, no _SUCCESS) when dead letters / records read exceeds this; a"
          + " worker also stops the run early once more than max(this, 0.5) of at least 1,000"
          + " records it tried failed. 1: never.")
  @Default.Double(0.5)
  double getMaxDeadLetterFraction();

  void setMaxDeadLetterFraction(double value);

  @Description(
      "A job spec file (YAML or JSON) with per-field keys and contexts; see the README. Command"
          + " line flags override its top-level settings; its per-field settings override both.")
  String getSpec();

  void setSpec(String value);

  @Description(
      "Replay dead letters: read the records of an earlier run's dead-letter directory (or file"
          + " pattern) as the input, instead of --input.")
  String getReplayDeadLetters();

  void setReplayDeadLetters(String value);

  @Description(
      "Accept field paths that none of the sampled input records has (by default the check before"
          + " the run refuses them: usually a misspelled path).")
  @Default.Boolean(false)
  boolean getAllowAbsentFields();

  void setAllowAbsentFields(boolean value);

  @Description(
      "Re-encrypt through this KMS endpoint instead of a key store (no key material on the"
          + " workers): a `qkms serve` (http://host:8471) or AWS KMS"
          + " (https://kms.<region>.amazonaws.com). Each worker signs its calls with credentials"
          + " from the AWS SDK's default chain: AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE,"
          + " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.")
  String getKmsEndpoint();

  void setKmsEndpoint(String value);

  @Description(
      "A PEM file of the certificates an https --kmsEndpoint's certificate must chain to (a private"
          + " CA, or the certificate qkms tls-cert wrote), read on every worker; default: the JVM's"
          + " trust store.")
  String getKmsCaBundle();

  void setKmsCaBundle(String value);

  @Description(
      "The whole job's budget of ReEncrypt operations per second at the endpoint (retries and"
          + " batch items count), split among the parallel workers; each slows down on"
          + " ThrottlingException and retries. 0: none.")
  @Default.Double(0)
  double getKmsMaxRequestsPerSecond();

  void setKmsMaxRequestsPerSecond(double value);

  @Description("Requests each worker keeps in flight at the endpoint (asynchronous calls).")
  @Default.Integer(32)
  int getKmsMaxInFlight();

  void setKmsMaxInFlight(int value);

  @Description(
      "ReEncrypt operations per request: 1 sends plain ReEncrypt (AWS KMS); up to 1000 sends"
          + " QkmsService.BatchReEncrypt, which only qkms serve answers.")
  @Default.Integer(1)
  int getKmsBatchSize();

  void setKmsBatchSize(int value);

  @Description(
      "ThrottlingException answers one call may get before its record is dead-lettered as"
          + " transient (exit 5, replayable).")
  @Default.Integer(100)
  int getKmsMaxThrottledRetries();

  void setKmsMaxThrottledRetries(int value);

  @Description(
      "The price of 10,000 requests, in dollars, for the estimate and the report (AWS KMS's: 0.03).")
  @Default.Double(0.03)
  double getKmsPricePer10k();

  void setKmsPricePer10k(double value);

  @Description("Seconds between progress lines from each worker; 0 turns them off.")
  @Default.Integer(5)
  int getProgressSeconds();

  void setProgressSeconds(int value);

  @Description(
      "Re-key only ciphertexts whose header names one of these keys (key IDs, key ARNs, alias"
          + " names or alias ARNs, comma-separated); other fields pass through unchanged, counted"
          + " as skippedBySelection.")
  List<String> getOnlySourceKeys();

  void setOnlySourceKeys(List<String> value);

  @Description(
      "Re-key only ciphertexts whose key material was created before this time: an ISO date"
          + " (2025-06-01, midnight UTC), an instant (2025-06-01T12:00:00Z) or a duration back"
          + " from the start of the run (P365D, PT12H). Other fields pass through unchanged,"
          + " counted as skippedBySelection.")
  String getOnlyMaterialsCreatedBefore();

  void setOnlyMaterialsCreatedBefore(String value);

  @Description(
      "Count which keys and key materials the ciphertext fields reference, without decrypting or"
          + " writing any record: a table on stdout and <output>/census.json. --keystore (optional)"
          + " adds each material's creation date, whether it is current, and the materials no"
          + " blob references.")
  @Default.Boolean(false)
  boolean getCensus();

  void setCensus(boolean value);

  @Description(
      "Run the checks before the run and print what it would take, then stop (exit 0) without"
          + " writing anything: with a key store, the input records counted (from Avro block"
          + " headers and line breaks), a sample tried and the expected duration from a short"
          + " calibration on this machine; with --kmsEndpoint, the records, requests, time at the"
          + " request budget and their cost.")
  @Default.Boolean(false)
  boolean getEstimateOnly();

  void setEstimateOnly(boolean value);

  @Description(
      "Record the run's progress in <output>/_manifest: the input is cut into shards, and each"
          + " shard's records and dead letters are committed with its counts as soon as it is"
          + " done, so that --resume can finish a run that stopped. Avro and JSON Lines input.")
  @Default.Boolean(false)
  boolean getResumable();

  void setResumable(boolean value);

  @Description(
      "Continue the unfinished resumable run in --output (same settings): only the shards not yet"
          + " committed are done, then the checks and the report cover every shard of every"
          + " attempt. On a finished run it says so and changes nothing.")
  @Default.Boolean(false)
  boolean getResume();

  void setResume(boolean value);

  @Description(
      "The size of a resumable run's shards in bytes of input. Default: 1 to 64 MiB, about 64"
          + " shards.")
  Long getShardBytes();

  void setShardBytes(Long value);
}
