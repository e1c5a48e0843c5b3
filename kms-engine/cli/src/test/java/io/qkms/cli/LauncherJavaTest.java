package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code scripts/qkms --version} says which Java runs the command line, and why that one. */
class LauncherJavaTest {
  static final Path SCRIPT = ScriptLauncherTest.SCRIPT;

  @Test
  void version_namesTheCommandLinesVersion_andItsJavaFromJavaHome() throws Exception {
    CliProcess.Result r = CliProcess.script(SCRIPT, Map.of(), "--version");

    assertThat(r.toString(), r.status(), equalTo(0));
    String home = Path.of(System.getProperty("java.home")).toRealPath().toString();
    assertThat(
        r.stdout(),
        equalTo(
            "qkms "
                + Qkms.version()
                + "\njava "
                + System.getProperty("java.version")
                + " ("
                + home
                + "; from JAVA_HOME)\n"));
    assertThat(r.stderr(), emptyString());
  }
}
