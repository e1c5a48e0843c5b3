package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.EarlierAttempt.State;
import io.qkms.pipeline.EarlierAttempt.Unknown;
import io.qkms.pipeline.EarlierAttempt.Unreachable;
import io.qkms.pipeline.manifest.Manifest;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decision {@code --resume} takes about an earlier attempt's Flink job: refuse while it may
 * run, proceed once it has ended or the cluster no longer knows it, refuse when the cluster cannot
 * be asked.
 */
class EarlierAttemptTest {
  static final String JOB = "3f1c0a7e5b2d4c6e8f9a0b1c2d3e4f5a";
  static final Manifest.Attempt ON_CLUSTER =
      new Manifest.Attempt(
          1, "run-1", "rekey-job-1", JOB, "127.0.0.1:8081", "2026-12-06T16:00:00Z");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INITIALIZING",
        "CREATED",
        "RUNNING",
        "RESTARTING",
        "FAILING",
        "CANCELLING",
        "SUSPENDED",
        "RECONCILING"
      })
  void aJobThatMayStillRun_isRefused_namingTheJobAndHowToCancelIt(String state) {
    String refusal = EarlierAttempt.refusal(ON_CLUSTER, new State(JOB, state), "/data/out");
    assertThat(refusal, containsString("--resume: attempt 1 of this run (run ID run-1"));
    assertThat(refusal, containsString("is still " + state + " on the Flink cluster at"));
    assertThat(refusal, containsString("as job " + JOB));
    assertThat(refusal, containsString("`flink cancel -m 127.0.0.1:8081 " + JOB + "`"));
    assertThat(
        refusal,
        containsString("`curl -X PATCH 'http://127.0.0.1:8081/jobs/" + JOB + "?mode=cancel'`"));
    assertThat(refusal, containsString("nothing was changed"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"FINISHED", "FAILED", "CANCELED"})
  void aJobThatHasEnded_letsTheRunResume(String state) {
    assertThat(EarlierAttempt.refusal(ON_CLUSTER, new State(JOB, state), "/data/out"), nullValue());
  }

  @Test
  void aJobTheClusterDoesNotKnow_letsTheRunResume() {
    assertThat(EarlierAttempt.refusal(ON_CLUSTER, new Unknown(), "/data/out"), nullValue());
  }

  @Test
  void aClusterThatCannotBeAsked_isRefused_ratherThanGuessed() {
    String refusal =
        EarlierAttempt.refusal(
            ON_CLUSTER, new Unreachable("nothing listens there: connection refused"), "/data/out");
    assertThat(
        refusal,
        equalTo(
            "--resume: cannot tell whether attempt 1 of this run (run ID run-1, started"
                + " 2026-12-06T16:00:00Z) still runs: the Flink cluster at 127.0.0.1:8081 that ran"
                + " its job "
                + JOB
                + " cannot be asked (nothing listens there: connection refused); resume when it"
                + " answers, or, if that cluster is gone for good with its jobs, delete"
                + " /data/out/_manifest/attempt.json and resume; nothing was changed"));
  }

  @Test
  void anAttemptOnTheEmbeddedCluster_isNotChecked_itsJobDiedWithItsLauncher() {
    Manifest.Attempt embedded =
        new Manifest.Attempt(2, "run-2", "rekey-job-2", null, null, "2026-12-06T16:00:00Z");
    assertThat(
        EarlierAttempt.refusal(embedded, new State(JOB, "RUNNING"), "/data/out"), nullValue());
    assertThat(EarlierAttempt.refusal(null, new State(JOB, "RUNNING"), "/data/out"), nullValue());
  }

  @Test
  void askingAClusterWhereNothingListens_isUnreachable_connectionRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    for (String id : new String[] {JOB, null}) {
      EarlierAttempt.Answer a =
          EarlierAttempt.ask(
              new Manifest.Attempt(
                  1, "run-1", "rekey-job-1", id, "127.0.0.1:" + port, "2026-12-06T16:00:00Z"));
      assertThat(a, instanceOf(Unreachable.class));
      assertThat(((Unreachable) a).problem(), equalTo("nothing listens there: connection refused"));
    }
  }

  @Test
  void withoutAJobId_theJobIsFoundByItsName_anUnendedOneFirst() throws Exception {
    JsonNode overview =
        new ObjectMapper()
            .readTree(
                "{\"jobs\":["
                    + "{\"jid\":\"a1\",\"name\":\"other\",\"state\":\"RUNNING\"},"
                    + "{\"jid\":\"b2\",\"name\":\"rekey-job-1\",\"state\":\"RESTARTING\"},"
                    + "{\"jid\":\"c3\",\"name\":\"rekey-job-1\",\"state\":\"FAILED\"}]}");
    assertThat(
        EarlierAttempt.byName(overview, "rekey-job-1"), equalTo(new State("b2", "RESTARTING")));
    assertThat(EarlierAttempt.byName(overview, "rekey-job-9"), instanceOf(Unknown.class));
    assertThat(
        EarlierAttempt.byName(new ObjectMapper().readTree("{\"jobs\":[]}"), "x"),
        is(new Unknown()));
  }
}
