package io.qkms.pipeline.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.pipeline.read.Shards;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * A resumable run's manifest, in {@code <output>/_manifest/}: {@code run.json} (the settings the
 * run was started with, its shards, its attempts) and one {@code shard-NNNNN.json} per committed
 * shard (its files with their sizes, and its counts). Each file is written to a temporary name and
 * renamed into place, so it is whole or absent, and carries a SHA-256 of its content, so a
 * truncated or edited file is refused rather than trusted (an integrity check against accidents and
 * careless edits, not a signature). A shard's entry is the commit point of the shard: its record
 * and dead-letter files are renamed into place first.
 */
public final class Manifest {
  public static final String DIR = "_manifest";
  public static final String RUN_FILE = "run.json";
  public static final String ATTEMPT_FILE = "attempt.json";
  static final String TMP_DIR = "tmp";
  private static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The run as started: its settings (compared on --resume), shards and attempts (run IDs). */
  public record Run(
      Map<String, String> settings, List<Shards.Shard> shards, List<String> attempts) {}

  /**
   * One committed shard: the run ID of the attempt that committed it, its files (resource → bytes)
   * and counts (metric name → value: records read, written, dead-lettered, and the transform's).
   */
  public record Entry(
      int shard,
      String path,
      long start,
      long end,
      String runId,
      Map<String, Long> files,
      Map<String, Long> counts) {}

  /**
   * The latest attempt as its launcher started it: its number (1 for the first), run ID, the name
   * and, once the cluster has it, the ID of its Flink job, the session cluster's REST address (null
   * when the job ran in the launcher's JVM) and its start time (ISO-8601).
   */
  public record Attempt(
      int number, String runId, String jobName, String jobId, String cluster, String started) {
    public Attempt withJobId(String id) {
      return new Attempt(number, runId, jobName, id, cluster, started);
    }
  }

  /** A manifest that cannot be trusted: truncated, edited, or naming files that changed. */
  public static final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    ManifestException(String message) {
      super(message);
    }
  }

  private Manifest() {}

  static ResourceId dir(String output) {
    return FileSystems.matchNewResource(output, true)
        .resolve(DIR, StandardResolveOptions.RESOLVE_DIRECTORY);
  }

  static ResourceId file(String output, String name) {
    return dir(output).resolve(name, StandardResolveOptions.RESOLVE_FILE);
  }

  static String shardFile(int shard) {
    return String.format(java.util.Locale.ROOT, "shard-%05d.json", shard);
  }

  /** Whether {@code output} holds a manifest at all. */
  public static boolean exists(String output) {
    return matches(file(output, RUN_FILE).toString()) > 0;
  }

  public static void writeRun(String output, Run run) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("version", VERSION);
    body.set("settings", JSON.valueToTree(new TreeMap<>(run.settings())));
    body.set("shards", JSON.valueToTree(run.shards()));
    body.set("attempts", JSON.valueToTree(run.attempts()));
    writeAtomically(output, RUN_FILE, body);
  }

  /**
   * @throws ManifestException naming the file and what is wrong with it
   */
  public static Run readRun(String output) throws IOException, ManifestException {
    JsonNode body = readVerified(output, RUN_FILE);
    try {
      if (body.path("version").asInt() != VERSION) {
        throw new ManifestException(
            file(output, RUN_FILE) + " is of version " + body.path("version") + ", not " + VERSION);
      }
      Map<String, String> settings = new TreeMap<>();
      body.get("settings")
          .fields()
          .forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
      List<Shards.Shard> shards = new ArrayList<>();
      for (JsonNode s : body.get("shards")) {
        shards.add(JSON.treeToValue(s, Shards.Shard.class));
      }
      List<String> attempts = new ArrayList<>();
      body.get("attempts").forEach(a -> attempts.add(a.asText()));
      return new Run(settings, shards, attempts);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new ManifestException(
          file(output, RUN_FILE) + " is not a run manifest: " + e.getMessage());
    }
  }

  /** Records the latest attempt, replacing the one before (whole or absent, as every file here). */
  public static void writeAttempt(String output, Attempt a) throws IOException {
    writeAtomically(output, ATTEMPT_FILE, JSON.valueToTree(a));
  }

  /**
   * @return the latest attempt, or null if none was recorded (a run of an earlier version)
   * @throws ManifestException if the file is truncated or edited
   */
  public static Attempt readAttempt(String output) throws IOException, ManifestException {
    if (matches(file(output, ATTEMPT_FILE).toString()) == 0) {
      return null;
    }
    JsonNode body = readVerified(output, ATTEMPT_FILE);
    try {
      return JSON.treeToValue(body, Attempt.class);
    } catch (JsonProcessingException e) {
      throw new ManifestException(
          file(output, ATTEMPT_FILE) + " is not an attempt record: " + e.getOriginalMessage());
    }
  }

  public static void writeEntry(String output, Entry e) throws IOException {
    writeAtomically(output, shardFile(e.shard()), JSON.valueToTree(e));
  }

  /**
   * Every committed shard's entry, checked: each is whole and unedited, names a shard of {@code
   * run} by its own range, and its files are there with the sizes they were committed with.
   *
   * @throws ManifestException naming the first file that is not as committed
   */
  public static Map<Integer, Entry> readEntries(String output, Run run)
      throws IOException, ManifestException {
    MatchResult m =
        FileSystems.match(
            dir(output).resolve("shard-*.json", StandardResolveOptions.RESOLVE_FILE).toString(),
            EmptyMatchTreatment.ALLOW);
    Map<Integer, Entry> out = new TreeMap<>();
    if (m.status() != MatchResult.Status.OK) {
      return out;
    }
    for (MatchResult.Metadata f : m.metadata()) {
      String name = f.resourceId().getFilename();
      JsonNode body = readVerified(output, name);
      Entry e;
      try {
        e = JSON.treeToValue(body, Entry.class);
      } catch (JsonProcessingException ex) {
        throw new ManifestException(
            f.resourceId() + " is not a shard entry: " + ex.getOriginalMessage());
      }
      if (e.shard() < 0 || e.shard() >= run.shards().size() || !name.equals(shardFile(e.shard()))) {
        throw new ManifestException(
            f.resourceId() + " names shard " + e.shard() + ", which the run does not have");
      }
      Shards.Shard s = run.shards().get(e.shard());
      if (!s.path().equals(e.path()) || s.start() != e.start() || s.end() != e.end()) {
        throw new ManifestException(
            f.resourceId() + " does not match the run's shard " + e.shard());
      }
      for (Map.Entry<String, Long> file : e.files().entrySet()) {
        long size = size(file.getKey());
        if (size != file.getValue()) {
          throw new ManifestException(
              f.resourceId()
                  + " commits "
                  + file.getKey()
                  + " of "
                  + file.getValue()
                  + " bytes, which "
                  + (size < 0 ? "is gone" : "now has " + size));
        }
      }
      out.put(e.shard(), e);
    }
    return out;
  }

  /** Deletes the temporary files of unfinished attempts. */
  public static void deleteTemporaryFiles(String output) throws IOException {
    MatchResult m =
        FileSystems.match(
            dir(output).resolve(TMP_DIR, StandardResolveOptions.RESOLVE_DIRECTORY).toString()
                + "**",
            EmptyMatchTreatment.ALLOW);
    if (m.status() == MatchResult.Status.OK && !m.metadata().isEmpty()) {
      List<ResourceId> files = new ArrayList<>();
      m.metadata().forEach(f -> files.add(f.resourceId()));
      FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /** The size of a file, or -1 if it is not there. */
  static long size(String resource) throws IOException {
    MatchResult m = FileSystems.match(resource, EmptyMatchTreatment.ALLOW);
    if (m.status() != MatchResult.Status.OK || m.metadata().isEmpty()) {
      return -1;
    }
    return m.metadata().get(0).sizeBytes();
  }

  private static int matches(String pattern) {
    try {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return m.status() == MatchResult.Status.OK ? m.metadata().size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** {@code {"sha256": <hex of body's bytes>, "body": body}}, to a temporary name, then renamed. */
  private static void writeAtomically(String output, String name, JsonNode body)
      throws IOException {
    byte[] bodyBytes = JSON.writeValueAsBytes(body);
    ObjectNode wrapper = JSON.createObjectNode();
    wrapper.put("sha256", sha256(bodyBytes));
    wrapper.set("body", body);
    ResourceId tmp =
        dir(output)
            .resolve(TMP_DIR, StandardResolveOptions.RESOLVE_DIRECTORY)
            .resolve(name + "." + UUID.randomUUID(), StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream os = Channels.newOutputStream(FileSystems.create(tmp, MimeTypes.TEXT))) {
      os.write(JSON.writeValueAsBytes(wrapper));
      os.write('\n');
    } catch (IOException e) {
      // A part-written file would only hold space (the disk may be full).
      try {
        FileSystems.delete(List.of(tmp), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException | RuntimeException d) {
        e.addSuppressed(d);
      }
      throw e;
    }
    FileSystems.rename(List.of(tmp), List.of(file(output, name)));
  }

  private static JsonNode readVerified(String output, String name)
      throws IOException, ManifestException {
    ResourceId id = file(output, name);
    byte[] bytes;
    try (InputStream in = Channels.newInputStream(FileSystems.open(id))) {
      bytes = in.readAllBytes();
    }
    JsonNode wrapper;
    try {
      wrapper = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new ManifestException(id + " is truncated or not JSON");
    }
    if (wrapper == null
        || !wrapper.isObject()
        || !wrapper.path("sha256").isTextual()
        || !wrapper.path("body").isObject()) {
      throw new ManifestException(id + " is truncated or not a manifest file");
    }
    String expected = sha256(JSON.writeValueAsBytes(wrapper.get("body")));
    if (!expected.equals(wrapper.get("sha256").asText())) {
      throw new ManifestException(id + " was changed after it was written (its SHA-256 differs)");
    }
    return wrapper.get("body");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }
}
