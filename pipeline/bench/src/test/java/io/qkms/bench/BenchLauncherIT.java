package io.qkms.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.testing.Launcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/bench run as a user runs it: its JSON names the JDK of every figure; a typo is one line.
 */
class BenchLauncherIT {
  @TempDir Path dir;

  @Test
  void onlyCli_writesTheLaunchToExitFiguresOfBothJdks_withTheJdkOfEach() throws Exception {
    Path out = dir.resolve("bench.json");

    Launcher.Result r =
        Launcher.run(
            "bench",
            List.of("--only", "cli", "--repeat", "1", "--out", out.toString()),
            Map.of(),
            dir,
            Duration.ofMinutes(10));

    assertThat(r.toString(), r.exitCode(), equalTo(0));
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(new ObjectMapper().readTree(r.stdout()), equalTo(json));
    assertThat(json.path("errors").size(), equalTo(0));
    String jdk = json.path("jdks").path("default").path("version").asText();
    assertThat(json.path("jdks").path("default").path("chosen_by").asText(), equalTo("newest"));
    assertThat(json.path("results").path("cli.whole_s").asDouble(), greaterThan(0.0));
    assertThat(json.path("jdk_of").path("cli.whole_s").asText(), equalTo(jdk));
    if (json.path("jdks").has("java17")) {
      String java17 = json.path("jdks").path("java17").path("version").asText();
      assertThat(json.path("jdk_of").path("cli.whole_s_java17").asText(), equalTo(java17));
      assertThat(
          json.path("results").path("cli.whole_to_java17_ratio").asDouble(),
          closeTo(
              json.path("results").path("cli.whole_s").asDouble()
                  / json.path("results").path("cli.whole_s_java17").asDouble(),
              0.001));
    }
    List<String> results = new ArrayList<>();
    json.path("results").fieldNames().forEachRemaining(results::add);
    List<String> jdks = new ArrayList<>();
    json.path("jdk_of").fieldNames().forEachRemaining(jdks::add);
    assertThat(jdks, equalTo(results));
  }

  @Test
  void unknownSection_isOneLineAndExit2_beforeAnyBuild() {
    Launcher.Result r =
        Launcher.run("bench", List.of("--only", "flunk"), Map.of(), dir, Duration.ofMinutes(1));

    assertThat(r.exitCode(), equalTo(2));
    assertThat(
        r.stderr(),
        equalTo(
            "bench: --only flunk: the sections are engine, pipeline, flink, direct, samples, cli,"
                + " http, census, resume, remote, parquet, store (--help shows the usage)\n"));
    assertThat(r.stdout(), emptyString());
  }
}
