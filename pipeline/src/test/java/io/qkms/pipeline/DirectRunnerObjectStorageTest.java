package io.qkms.pipeline;

import java.util.List;

/** The object-storage runs on the Direct runner. */
class DirectRunnerObjectStorageTest extends ObjectStorageEndToEndTest {
  @Override
  List<String> runnerArgs() {
    return List.of("--runner=DirectRunner");
  }
}
