package io.qkms.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real AWS CLI and boto3, run as a user runs them against {@code qkms serve}: with a
 * credentials file (profile qkms) and nothing from the user's own AWS set-up. {@code .ci/run}
 * installs both from Debian ({@code awscli}, {@code python3-boto3}); where one is missing a test
 * that needs it is skipped, saying so, except under CI ({@code CI=true}), where it fails.
 */
final class AwsClients {
  /** The result of one client run. */
  record Run(int status, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + status + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private final Path home;
  private final Path credentials;

  /**
   * @param home the clients' home and scratch directory
   * @param credentials the shared credentials file ({@code qkms init} writes one)
   */
  AwsClients(Path home, Path credentials) {
    this.home = home;
    this.credentials = credentials;
  }

  /** The AWS CLI's path: QKMS_AWS_CLI, else Debian's /usr/bin/aws (not a pyenv shim); or null. */
  static Path awsCli() {
    String configured = System.getenv("QKMS_AWS_CLI");
    Path cli = Path.of(configured != null ? configured : "/usr/bin/aws");
    return Files.isExecutable(cli) ? cli : null;
  }

  /** Debian's python3 (where python3-boto3 is), or null. */
  static Path python() {
    Path python = Path.of("/usr/bin/python3");
    return Files.isExecutable(python) ? python : null;
  }

  /**
   * Skips the test when a client is missing on a developer's machine; under CI ({@code CI=true},
   * where .ci/run installs the clients) a missing client fails it, so a failed install cannot pass
   * unnoticed as skipped tests.
   */
  static void requireClient(boolean present, String missing) {
    if ("true".equals(System.getenv("CI"))) {
      assertTrue(present, missing + " (CI=true, so this is a failure, not a skip)");
    } else {
      assumeTrue(present, missing);
    }
  }

  /**
   * A client run with profile qkms of the credentials file and nothing from the user's own AWS
   * set-up; {@code env} adds variables, or unsets them with an empty value.
   */
  Run run(Map<String, String> env, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("AWS_"));
    e.put("HOME", home.toString());
    e.put("AWS_CONFIG_FILE", home.resolve("no-config").toString());
    e.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
    e.put("AWS_PROFILE", "qkms");
    e.put("AWS_EC2_METADATA_DISABLED", "true");
    env.forEach((k, v) -> e.compute(k, (key, old) -> v.isEmpty() ? null : v));
    e.put("AWS_PAGER", ""); // the CLI v2 would page long output
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("did not end in 120 s: " + command);
    }
    return new Run(p.exitValue(), Files.readString(out).strip(), Files.readString(err).strip());
  }

  /** {@code aws --endpoint-url <endpoint> --region us-east-1 <args>}. */
  Run aws(URI endpoint, Map<String, String> env, String... args) throws Exception {
    Path cli = awsCli();
    requireClient(
        cli != null, "the AWS CLI is not installed (apt-get install awscli; .ci/run does)");
    List<String> command = new ArrayList<>(List.of(cli.toString()));
    command.addAll(List.of("--endpoint-url", endpoint.toString()));
    if (Stream.of(args).noneMatch("--region"::equals)) {
      command.addAll(List.of("--region", "us-east-1"));
    }
    command.addAll(List.of(args));
    return run(env, command);
  }

  /**
   * {@code python3 script args} for a boto3 script; skips (or under CI fails) where python3 or
   * boto3 is missing.
   */
  Run python(String script, Map<String, String> env, String... args) throws Exception {
    Path python = python();
    requireClient(python != null, "no /usr/bin/python3");
    Path file = Files.createTempFile(home, "script", ".py");
    Files.writeString(file, script);
    List<String> command = new ArrayList<>(List.of(python.toString(), file.toString()));
    command.addAll(List.of(args));
    Run r = run(env, command);
    requireClient(
        !r.stderr().contains("No module named 'boto3'"),
        "boto3 is not installed (apt-get install python3-boto3; .ci/run does)");
    return r;
  }
}
