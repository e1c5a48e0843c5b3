package io.qkms.pipeline;

import java.util.List;

/** The end-to-end tests on the Direct runner, with its immutability and encodability checks on. */
class DirectRunnerEndToEndTest extends EndToEndTest {
  @Override
  List<String> runnerArgs() {
    return List.of("--runner=DirectRunner");
  }
}
