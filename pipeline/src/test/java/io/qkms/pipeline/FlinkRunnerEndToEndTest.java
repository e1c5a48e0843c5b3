package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import io.qkms.pipeline.testing.ListeningSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The same end-to-end tests on Flink's embedded mini-cluster, with two subtasks (so that records
 * really are split across DoFn instances sharing one worker engine) and --fasterCopy, as the job
 * sets it. Also watches the sockets the embedded cluster listens on while the jobs run.
 */
class FlinkRunnerEndToEndTest extends EndToEndTest {
  private final Set<ListeningSockets.Listener> listenedOn = new HashSet<>();

  @Override
  List<String> runnerArgs() {
    return List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
  }

  @Override
  ReKeyJob.Outcome job(List<String> args) {
    if (!ListeningSockets.supported()) {
      return super.job(args);
    }
    try (ListeningSockets.Watch watch = ListeningSockets.watch()) {
      ReKeyJob.Outcome outcome = super.job(args);
      listenedOn.addAll(watch.seen());
      return outcome;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void embeddedCluster_listensOnLoopbackOnly() {
    Assumptions.assumeTrue(
        ListeningSockets.supported(), "needs Linux /proc to list listening sockets");
    // Its REST endpoint and BLOB server, at least: seeing them shows the watch works.
    assertThat(listenedOn.toString(), listenedOn.size(), greaterThanOrEqualTo(2));
    List<ListeningSockets.Listener> elsewhere =
        listenedOn.stream().filter(l -> !l.address().isLoopbackAddress()).toList();
    assertThat(elsewhere, is(empty()));
  }
}
