package io.qkms.pipeline.worker.remote;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.worker.WorkerKms;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks' DryRuns keep to the run's request budget, and a wait for it can be stopped. */
class RemoteCheckTest {
  @Test
  void aDryRunInterruptedWhileWaitingForTheBudget_stopsTheChecks_ratherThanFailingTheRecord() {
    // Nothing listens there, and nothing is sent: the budget's one request this second is taken.
    RemoteSpec spec =
        RemoteSpec.builder("http://127.0.0.1:1", "us-east-1")
            .maxRequestsPerSecond(1)
            .workers(1)
            .build();
    WorkerKms.Probe probe =
        new WorkerKms.Probe(new byte[] {1}, null, Map.of(), "alias/k", Map.of(), null);
    try (RemoteKms lease = RemoteClients.acquire(spec);
        RemoteCheck check = RemoteCheck.open(spec)) {
      lease.client().limiter.reserve(1);
      Thread.currentThread().interrupt();
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> check.dryRunReEncrypt(probe));
      assertThat(e.getMessage(), containsString("its turn in the request budget"));
      assertThat(Thread.interrupted(), is(true)); // the interrupt is kept for the caller
    }
  }
}
