package io.qkms.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FiguresTest {
  @Test
  void medians_ofAnOddCount_isTheMiddleValue_andRatesGetTheirRange() {
    Figures f = new Figures();
    for (double v : new double[] {300, 100, 200}) {
      f.addRun("pipeline.flink_records_per_s", v, "25.0.3");
    }

    f.medians();

    assertThat(f.get("pipeline.flink_records_per_s"), equalTo(200.0));
    assertThat(f.get("pipeline.flink_records_per_s_min"), equalTo(100.0));
    assertThat(f.get("pipeline.flink_records_per_s_max"), equalTo(300.0));
    assertThat(f.jdkOf().get("pipeline.flink_records_per_s_max"), equalTo("25.0.3"));
    assertThat(
        f.runs().get("pipeline.flink_records_per_s"),
        equalTo(java.util.List.of(300.0, 100.0, 200.0)));
  }

  @Test
  void medians_ofAnEvenCount_isTheMeanOfTheMiddleTwo_andOtherFiguresGetNoRange() {
    Figures f = new Figures();
    for (double v : new double[] {4, 1, 3, 2}) {
      f.addRun("cli.whole_s", v, "17.0.15");
    }

    f.medians();

    assertThat(f.get("cli.whole_s"), equalTo(2.5));
    assertThat(f.get("cli.whole_s_min"), nullValue());
  }

  @Test
  void medians_ofAPeakHeap_isTheLargest() {
    Figures f = new Figures();
    for (double v : new double[] {700, 900, 800}) {
      f.addRun("pipeline.flink_heap_peak_mb", v, "25.0.3");
    }

    f.medians();

    assertThat(f.get("pipeline.flink_heap_peak_mb"), equalTo(900.0));
  }

  @Test
  void ratio_namesBothJdksWhenTheyDiffer_andIsLeftOutWhenAFigureIsMissing() {
    Figures f = new Figures();
    f.put("samples.whole_s", 3, "25.0.3");
    f.put("samples.whole_s_java17", 6, "17.0.15");
    f.put("engine.reencrypt_64b_ops_per_s", 400_000, "25.0.3");

    f.ratio("samples.whole_to_java17_ratio", "samples.whole_s", "samples.whole_s_java17");
    f.ratio(
        "http.to_engine_1t_ratio", "http.reencrypt_req_per_s", "engine.reencrypt_64b_ops_per_s");

    assertThat(f.get("samples.whole_to_java17_ratio"), equalTo(0.5));
    assertThat(f.jdkOf().get("samples.whole_to_java17_ratio"), equalTo("25.0.3 / 17.0.15"));
    assertThat(f.get("http.to_engine_1t_ratio"), nullValue());
  }

  @Test
  void lines_areTheNameValuePairsOfAHarnesssOutput() {
    Map<String, Double> m = Bench.lines("records 1000.000\nsome other line\nstartup_s 2.5\n");

    assertThat(m, equalTo(Map.of("records", 1000.0, "startup_s", 2.5)));
  }
}
