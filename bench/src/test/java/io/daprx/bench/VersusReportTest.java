package io.daprx.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the side-by-side table summarises rounds and reads which side is better. */
class VersusReportTest {

  @TempDir
  Path dir;

  @Test
  void roundsAreSummarisedByTheirMedianAndPlacementSamplesArePooled() throws Exception {
    Path ours = dir.resolve("ours.results");
    new Results(ours).put("sentry.p256.peak_per_s", 1000).put("sentry.p256.half_p99_ms", 3).put("sentry.p256.half_per_s", 500).flush();
    new Results(ours).put("sentry.p256.peak_per_s", 1200).put("sentry.p256.half_p99_ms", 5).put("sentry.p256.half_per_s", 600).flush();
    Results samples = new Results(ours);
    for (int i = 1; i <= 200; i++) {
      samples.put("placement.1000x1.sample_ms", i);
    }
    samples.flush();
    Map<String, List<Double>> o = Results.read(ours);
    assertThat(o.get("sentry.p256.peak_per_s")).containsExactly(1000.0, 1200.0);

    List<VersusReport.Row> rows = VersusReport.rows(o, Map.of("sentry.p256.peak_per_s", List.of(2000.0),
        "sentry.p256.half_p99_ms", List.of(2.0), "placement.1000x1.sample_ms", List.of(50.0, 100.0)));
    VersusReport.Row peak = rows.get(0);
    assertThat(peak.ours()).isEqualTo(1100); // the median of two rounds is their mean
    assertThat(peak.ratio()).isEqualTo(0.55);
    assertThat(peak.oursBetterOrEqual()).isFalse(); // a rate: higher is better
    VersusReport.Row p99 = rows.get(1);
    assertThat(p99.ours()).isEqualTo(4);
    assertThat(p99.oursBetterOrEqual()).isFalse(); // a latency: lower is better
    VersusReport.Row placementP99 = rows.stream().filter(r -> r.label().contains("p99") && r.label().contains("1,000 sidecars"))
        .findFirst().orElseThrow();
    assertThat(placementP99.ours()).isEqualTo(198); // nearest rank over the 200 pooled samples
    assertThat(placementP99.upstream()).isEqualTo(100);
  }

  @Test
  void theRunFailsAboveOneErrorInAThousandOrWhenAFigureIsMissing() throws Exception {
    Path ours = dir.resolve("ours.results");
    Path upstream = dir.resolve("upstream.results");
    Files.writeString(ours, "sentry.p256.peak_per_s 10\nsentry.p256.calls 1000\nsentry.p256.errors 1\n");
    Files.writeString(upstream, "sentry.p256.peak_per_s 10\nsentry.p256.calls 1000\nsentry.p256.errors 0\n");
    VersusReport ok = new VersusReport();
    ok.oursFile = ours;
    ok.upstreamFile = upstream;
    // one error in 1,000 passes, but the half-peak figures are missing
    assertThat(ok.call()).isEqualTo(1);

    String complete = "sentry.p256.half_p99_ms 1\nsentry.p256.half_per_s 5\n";
    Files.writeString(ours, complete, java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(upstream, complete, java.nio.file.StandardOpenOption.APPEND);
    assertThat(ok.call()).isZero();

    Files.writeString(ours, "sentry.p256.errors 1\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(ok.call()).isEqualTo(1); // 2 in 1,000
  }

  @Test
  void percentilesOfNothingAreMissingNotZero() {
    assertThat(VersusReport.percentile(new double[0], 99)).isNaN();
    assertThat(VersusReport.percentile(new double[] {3, 1, 2}, 50)).isEqualTo(2);
    assertThat(VersusReport.fmt(Double.NaN, 2)).isEqualTo("-");
  }
}
