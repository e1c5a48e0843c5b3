package io.qkms.pipeline;

import java.util.List;

/**
 * The same end-to-end tests on Flink's embedded mini-cluster, with two subtasks (so that records
 * really are split across DoFn instances sharing one worker engine) and --fasterCopy, as the job
 * sets it.
 */
class FlinkRunnerEndToEndTest extends EndToEndTest {
  @Override
  List<String> runnerArgs() {
    return List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
  }
}
