package io.qkms.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.manifest.Manifest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Whether the Flink job of a resumable run's earlier attempt may still be running. A job on a
 * session cluster outlives its launcher: resuming while it runs would re-key the same shards twice
 * at once. The job of an embedded cluster dies with its launcher, so only a session cluster's
 * attempt is checked, through the cluster's REST API.
 */
final class EarlierAttempt {
  /** Flink's globally terminal job states: the job will never run again. */
  static final Set<String> ENDED = Set.of("FINISHED", "FAILED", "CANCELED");

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private EarlierAttempt() {}

  /** What the cluster says of an attempt's job. */
  sealed interface Answer permits State, Unknown, Unreachable {}

  /** The cluster has the job, in this state (one of Flink's JobStatus names). */
  record State(String jobId, String state) implements Answer {}

  /** The cluster does not know the job (it ended long ago, or the cluster was restarted). */
  record Unknown() implements Answer {}

  /** The cluster could not be asked. */
  record Unreachable(String problem) implements Answer {}

  /**
   * The refusal for resuming after {@code attempt}, given what its cluster answered; null when the
   * run may be resumed.
   */
  static String refusal(Manifest.Attempt attempt, Answer answer, String output) {
    if (attempt == null || attempt.cluster() == null) {
      return null;
    }
    String what =
        "attempt "
            + attempt.number()
            + " of this run (run ID "
            + attempt.runId()
            + ", started "
            + attempt.started()
            + ")";
    if (answer instanceof State s) {
      if (ENDED.contains(s.state())) {
        return null;
      }
      return "--resume: "
          + what
          + " is still "
          + s.state()
          + " on the Flink cluster at "
          + attempt.cluster()
          + " as job "
          + s.jobId()
          + ": resuming now would re-key the same shards twice at once. Let it end, or cancel it"
          + " (`flink cancel -m "
          + attempt.cluster()
          + " "
          + s.jobId()
          + "` or `curl -X PATCH '"
          + base(attempt.cluster())
          + "/jobs/"
          + s.jobId()
          + "?mode=cancel'`), then resume; nothing was changed";
    }
    if (answer instanceof Unreachable u) {
      return "--resume: cannot tell whether "
          + what
          + " still runs: the Flink cluster at "
          + attempt.cluster()
          + " that ran "
          + (attempt.jobId() == null ? "its job" : "its job " + attempt.jobId())
          + " cannot be asked ("
          + u.problem()
          + "); resume when it answers, or, if that cluster is gone for good with its jobs,"
          + " delete "
          + output
          + "/"
          + Manifest.DIR
          + "/"
          + Manifest.ATTEMPT_FILE
          + " and resume; nothing was changed";
    }
    return null;
  }

  /**
   * Asks the attempt's cluster about its job: by job ID, or, if the launcher died before it learnt
   * the ID, by the job's name (unique to the attempt).
   */
  static Answer ask(Manifest.Attempt attempt) {
    String base = base(attempt.cluster());
    try {
      if (attempt.jobId() != null) {
        HttpResponse<String> r =
            get(base + "/jobs/" + URLEncoder.encode(attempt.jobId(), StandardCharsets.UTF_8));
        if (r.statusCode() == 404) {
          return new Unknown();
        }
        JsonNode body = ok(r);
        return new State(attempt.jobId(), body.path("state").asText());
      }
      return byName(ok(get(base + "/jobs/overview")), attempt.jobName());
    } catch (ConnectException e) {
      return new Unreachable("nothing listens there: connection refused");
    } catch (HttpTimeoutException e) {
      return new Unreachable("no answer within " + TIMEOUT.toSeconds() + " s");
    } catch (IOException | IllegalArgumentException e) {
      return new Unreachable(
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Unreachable("interrupted");
    }
  }

  /** The attempt's job in a {@code /jobs/overview} answer: one that has not ended first. */
  static Answer byName(JsonNode overview, String jobName) {
    State found = null;
    for (JsonNode j : overview.path("jobs")) {
      if (j.path("name").asText().equals(jobName)) {
        State s = new State(j.path("jid").asText(), j.path("state").asText());
        if (found == null || !ENDED.contains(s.state())) {
          found = s;
        }
      }
    }
    return found == null ? new Unknown() : found;
  }

  /** The ID of the job named {@code jobName} on the cluster, or null if it has none yet. */
  static String jobIdOf(String cluster, String jobName) throws IOException, InterruptedException {
    Answer a = byName(ok(get(base(cluster) + "/jobs/overview")), jobName);
    return a instanceof State s ? s.jobId() : null;
  }

  static String base(String cluster) {
    return cluster.startsWith("http://") || cluster.startsWith("https://")
        ? cluster
        : "http://" + cluster;
  }

  private static HttpResponse<String> get(String uri) throws IOException, InterruptedException {
    return HttpClient.newBuilder()
        .connectTimeout(TIMEOUT)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> r) throws IOException {
    if (r.statusCode() != 200) {
      throw new IOException(
          r.uri() + " answered HTTP " + r.statusCode() + ", not as a Flink cluster does");
    }
    return new ObjectMapper().readTree(r.body());
  }
}
