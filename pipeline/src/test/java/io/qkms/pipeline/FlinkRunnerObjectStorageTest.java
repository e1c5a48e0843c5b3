package io.qkms.pipeline;

import java.util.List;

/**
 * The object-storage runs on Flink's embedded mini-cluster, two subtasks, with the translation the
 * job picks for object storage (FlinkSettings.onObjectStorage).
 */
class FlinkRunnerObjectStorageTest extends ObjectStorageEndToEndTest {
  @Override
  List<String> runnerArgs() {
    return List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
  }
}
