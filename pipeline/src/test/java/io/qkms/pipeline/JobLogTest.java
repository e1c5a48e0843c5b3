package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.qkms.pipeline.testing.CapturedOutput;
import org.junit.jupiter.api.Test;

class JobLogTest {

  @Test
  void pekkosShutdownHookMissingAClass_afterTheClusterClosed_printsNothing() {
    JobLog.toConsole();
    try (CapturedOutput output = new CapturedOutput()) {
      JobLog.uncaught(
          new Thread(() -> {}, "flink-shutdown-hook-1"),
          new NoClassDefFoundError("org/apache/pekko/actor/CoordinatedShutdown$JvmExitReason$"));
      assertThat(output.text(), is(emptyString()));
    }
  }

  @Test
  void anyOtherUncaughtException_isOneLineOnStderr_withoutAStackTrace() {
    JobLog.toConsole();
    try (CapturedOutput output = new CapturedOutput()) {
      JobLog.uncaught(new Thread(() -> {}, "worker-7"), new IllegalStateException("broken"));
      assertThat(
          output.text(),
          containsString(
              "[ERROR] Uncaught in thread worker-7: java.lang.IllegalStateException: broken"));
      assertThat(output.text(), not(containsString("\tat ")));
      assertThat(output.text().strip().lines().count(), is(1L));
    }
  }
}
