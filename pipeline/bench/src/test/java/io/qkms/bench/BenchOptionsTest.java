package io.qkms.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void parse_defaults_andTheLaunchersOptions() {
    Bench.Options o =
        Bench.Options.parse(
            new String[] {
              "--root=/r",
              "--jdk=25.0.3|/jdk25|newest",
              "--java17",
              "17.0.15|/jdk17|newest",
              "--flink-jvm-options=-XX:+UseParallelGC  -Xss1m",
              "--only",
              "engine",
              "--only=cli"
            });

    assertThat(o.records(), equalTo(1_000_000));
    assertThat(o.repeat(), equalTo(3));
    assertThat(o.only(), equalTo(Set.of("engine", "cli")));
    assertThat(o.wanted("cli"), equalTo(true));
    assertThat(o.wanted("http"), equalTo(false));
    assertThat(o.jdk(), equalTo(new Bench.Jdk("25.0.3", "/jdk25", "newest")));
    assertThat(o.java17().java(), equalTo("/jdk17/bin/java"));
    assertThat(o.flinkJvm(), equalTo(List.of("-XX:+UseParallelGC", "-Xss1m")));
    assertThat(o.out().toString().startsWith("/r/target/bench/bench-"), equalTo(true));
  }

  @Test
  void parse_mistakes_sayWhat() {
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Bench.Options.parse(new String[] {"--only=flunk"}))
            .getMessage(),
        equalTo(
            "--only flunk: the sections are engine, pipeline, flink, direct, samples, cli, http,"
                + " census, resume, remote, parquet, store"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Bench.Options.parse(new String[] {"--repeat=0"}))
            .getMessage(),
        equalTo("--repeat needs a whole number from 1, not '0'"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class, () -> Bench.Options.parse(new String[] {"--fast"}))
            .getMessage(),
        equalTo("--fast needs a value"));
  }

  @Test
  void run_aMistake_isOneLineAndExit2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        Bench.run(
            new String[] {"--records=lots"},
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code, equalTo(2));
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        equalTo(
            "bench: --records needs a whole number from 1, not 'lots' (--help shows the usage)\n"));
  }
}
