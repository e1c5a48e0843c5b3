package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/qkms}, the launcher users type: arguments, stdout, stderr and exit status pass
 * through untouched. It runs this build's class path (QKMS_CLASSPATH) instead of building the jar,
 * which keeps the test quick; the build-on-first-use path is exercised by the README commands.
 */
class ScriptLauncherTest {
  static final Path SCRIPT =
      Path.of(System.getProperty("basedir", ".")).resolve("../../scripts/qkms").normalize();

  @TempDir static Path shared;
  static Map<String, String> env;

  @BeforeAll
  static void store() {
    env = Map.of("QKMS_KEYSTORE", shared.resolve("ks").toString());
    InProcess.ok(env, "init");
  }

  @Test
  void script_isAnExecutableFile() {
    assertThat(SCRIPT.toString(), Files.isExecutable(SCRIPT), equalTo(true));
  }

  @Test
  void script_printsExactlyWhatTheCommandPrints() {
    CliProcess.Result r =
        CliProcess.script(
            SCRIPT, env, "create-key", "--query", "KeyMetadata.KeyId", "--output", "text");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(
        r.stdout(),
        matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n"));
    assertThat(r.stderr(), emptyString());
  }

  @Test
  void script_apiError_exits254WithTheErrorOnStderr() {
    CliProcess.Result r = CliProcess.script(SCRIPT, env, "describe-key", "--key-id", "alias/none");

    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        equalTo(
            "{\"__type\": \"NotFoundException\", \"message\": \"Alias"
                + " arn:verenc:111122223333:alias/none is not found.\"}\n"));
  }

  @Test
  void script_badUsage_exits252() {
    CliProcess.Result r = CliProcess.script(SCRIPT, env, "describe-key");

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(
        r.stderr(), containsString("qkms: error: the following arguments are required: --key-id"));
  }

  @Test
  void script_argumentsWithSpacesAndQuotes_arePassedAsTheyAre() {
    CliProcess.Result r =
        CliProcess.script(
            SCRIPT,
            env,
            "create-key",
            "--description",
            "it's a \"key\"  with  spaces",
            "--query",
            "KeyMetadata.Description",
            "--output",
            "text");

    assertThat(r.toString(), r.stdout(), equalTo("it's a \"key\"  with  spaces\n"));
  }
}
