package io.qkms.pipeline;

import java.util.List;

/** The hostile JSON Lines on the Direct runner, which encodes every element with its coder. */
class DirectRunnerHostileJsonLinesTest extends HostileJsonLinesEndToEndTest {
  @Override
  List<String> runnerArgs() {
    return List.of("--runner=DirectRunner");
  }

  /**
   * The Direct runner copies every element through its coder around every step (its checks): for a
   * 21 MB line that took a minute. The limit is covered on Flink and in JsonLineAccessorTest.
   */
  @Override
  boolean withAStringBeyondTheLimit() {
    return false;
  }
}
