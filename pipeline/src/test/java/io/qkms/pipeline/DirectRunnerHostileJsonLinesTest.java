package io.qkms.pipeline;

import java.util.List;

/** The hostile JSON Lines on the Direct runner, which encodes every element with its coder. */
class DirectRunnerHostileJsonLinesTest extends HostileJsonLinesEndToEndTest {
  @Override
  List<String> runnerArgs() {
    return List.of("--runner=DirectRunner");
  }
}
