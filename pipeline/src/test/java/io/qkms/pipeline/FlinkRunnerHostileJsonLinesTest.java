package io.qkms.pipeline;

import java.util.List;

/** The hostile JSON Lines on Flink's embedded mini-cluster, with two subtasks. */
class FlinkRunnerHostileJsonLinesTest extends HostileJsonLinesEndToEndTest {
  @Override
  List<String> runnerArgs() {
    return List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
  }
}
