package io.qkms.samples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.qkms.pipeline.testing.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/samples} and {@code scripts/rekey --samples} run as a user runs them: exit codes,
 * the exact messages of mistakes (one line, no stack trace), nothing made or wiped where nothing
 * should be. Each run has its own samples folder (QKMS_SAMPLES_WORK) and this JVM's Java; no
 * start-up cache is made here (JobAotCacheIT covers it).
 */
class SamplesLauncherIT {
  static final Duration QUICK = Duration.ofMinutes(2);
  static final String HELP = " (scripts/samples --help shows the usage)\n";

  @TempDir Path dir;

  Launcher.Result samples(String... args) {
    return run("samples", QUICK, args);
  }

  Launcher.Result run(String script, Duration timeout, String... args) {
    return Launcher.run(
        script,
        List.of(args),
        Map.of(
            "QKMS_SAMPLES_WORK",
            dir.resolve("work").toString(),
            "JAVA_HOME",
            Launcher.thisJavaHome(),
            "QKMS_AOT",
            "off"),
        dir,
        timeout);
  }

  /** A usage mistake: exit 2, the one line expected on stderr, nothing on stdout or on disk. */
  void usageError(String expected, String... args) {
    Launcher.Result r = samples(args);
    assertThat(r.toString(), r.exitCode(), equalTo(2));
    assertThat(r.stderr(), equalTo("samples: " + expected + HELP));
    assertThat(r.stdout(), emptyString());
    assertThat(Files.exists(dir.resolve("work")), equalTo(false));
  }

  @Test
  void walkthroughWithoutAName_isOneLineNamingTheWalkthroughs() {
    usageError(
        "walkthrough needs a name: rekey, rotation, cross-region, bad-records, parquet, envelope",
        "walkthrough");
  }

  @Test
  void walkthroughWithAnOptionForAName_isTheSameLine() {
    usageError(
        "walkthrough needs a name: rekey, rotation, cross-region, bad-records, parquet, envelope",
        "walkthrough",
        "--runner=DirectRunner");
  }

  @Test
  void unknownWalkthrough_isOneLineNamingTheWalkthroughs() {
    usageError(
        "no walk-through 'teleport'; there are rekey, rotation, cross-region, bad-records, parquet, envelope",
        "walkthrough",
        "teleport");
  }

  @Test
  void benchWithoutANumber_isOneLine() {
    usageError("bench needs N", "bench");
    usageError("bench N needs a number of records from 1, not 'many'", "bench", "many");
    usageError("bench N needs a number of records from 1, not '0'", "bench", "0");
  }

  @Test
  void otherMistakes_areOneLineEach() {
    usageError("which command? init, demo, walkthrough, bench, verify, ...");
    usageError("no command 'fly'", "fly");
    usageError("verify needs RUN_DIR KEY [REGION]", "verify", "only-a-dir");
    usageError("rotate needs KEY", "rotate");
    usageError("init takes no arguments, not 'now'", "init", "now");
  }

  @Test
  void verifyOfAMissingRun_isOneLineAndExit1() {
    Launcher.Result init = samples("init");
    assertThat(init.toString(), init.exitCode(), equalTo(0));

    Launcher.Result r = samples("verify", dir.resolve("no-run").toString(), "alias/sample-new");

    assertThat(r.toString(), r.exitCode(), equalTo(1));
    assertThat(
        r.stderr(), equalTo("samples: no such file or directory: " + dir.resolve("no-run") + "\n"));
  }

  /** --samples --help explains and lists the job's options; it makes nothing and wipes nothing. */
  @Test
  void rekeySamplesHelp_isHarmless() throws IOException {
    Path work = dir.resolve("work");
    Files.createDirectories(work.resolve("runs/earlier"));
    Files.writeString(work.resolve(".qkms-samples"), "QKMS samples work directory\n");
    Files.writeString(work.resolve("runs/earlier/kept.txt"), "an earlier run\n");

    Launcher.Result r = run("rekey", QUICK, "--samples", "--help");

    assertThat(r.toString(), r.exitCode(), equalTo(0));
    assertThat(r.stdout(), startsWith("Usage: scripts/rekey --samples [job options]\n"));
    assertThat(r.stdout(), containsString("--destinationKeyId"));
    assertThat(r.stderr(), emptyString());
    try (Stream<Path> files = Files.walk(work)) {
      assertThat(
          files.map(p -> work.relativize(p).toString()).sorted().toList(),
          equalTo(List.of("", ".qkms-samples", "runs", "runs/earlier", "runs/earlier/kept.txt")));
    }
  }

  /** The README's first command: fresh samples, the job, the check, and nothing on stderr. */
  @Test
  void rekeySamples_reKeysTheSamplesAndChecksThem() {
    Launcher.Result r = run("rekey", Duration.ofMinutes(5), "--samples");

    assertThat(r.toString(), r.exitCode(), equalTo(0));
    assertThat(
        r.stdout(),
        containsString(
            "  check: all 633 ciphertexts in 200 records decrypt under alias/sample-new to the"
                + " original plaintext (67 null fields)\n"));
    String disabled =
        r.stdout().lines().filter(l -> l.contains("bad-disabled-3")).findFirst().orElseThrow();
    assertThat(
        disabled, containsString("bad-disabled-3  DisabledException  field=card.number  arn:"));
    // The message names the key; the line does not name it twice.
    assertThat(disabled.split("arn:verenc:").length - 1, equalTo(1));
    assertThat(r.stdout(), startsWith("Made fresh samples in "));
    assertThat(
        r.stdout(),
        containsString("\nQKMS re-key SUCCEEDED, with 4 dead letters: 204 records in "));
    assertThat(r.stderr(), not(containsString("Exception")));
    assertThat(r.stderr(), not(containsString("WARNING")));
    assertThat(Files.exists(dir.resolve("work/runs/demo/report.json")), equalTo(true));
  }

  @Test
  void rekeyVersion_namesTheJavaAndWhy() {
    Launcher.Result r = run("rekey", QUICK, "--version");

    assertThat(r.toString(), r.exitCode(), equalTo(0));
    String[] lines = r.stdout().split("\n");
    assertThat(lines[0], startsWith("QKMS re-key 0.1.0-SNAPSHOT ("));
    assertThat(
        lines[1],
        equalTo(
            "java "
                + System.getProperty("java.version")
                + " ("
                + realPath(Launcher.thisJavaHome())
                + "; from JAVA_HOME)"));
    assertThat(lines[2], startsWith("start-up cache: "));
  }

  static String realPath(String p) {
    try {
      return Path.of(p).toRealPath().toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
