package io.daprx.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The table of {@code bench/versus-upstream.sh}: reads the {@link Results} files the load generators and the script
 * wrote for our control plane and for upstream's, and prints each figure side by side with the ratio ours ÷ upstream.
 *
 * <p>Figures measured once per round are summarised by their median over the rounds; placement's samples are pooled
 * over the rounds before their percentiles are taken. Exit code 1 when a target's calls failed more than 0.1% of the
 * time, its sidecars saw protocol violations, or a figure is missing; else 0.
 */
@Command(name = "versus-report", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Print our figures beside upstream's, from the results files of bench/versus-upstream.sh.")
public final class VersusReport implements Callable<Integer> {

  @Option(names = "--ours", required = true, paramLabel = "FILE", description = "results of our control plane")
  Path oursFile;

  @Option(names = "--upstream", required = true, paramLabel = "FILE", description = "results of upstream's")
  Path upstreamFile;

  private final PrintStream out = System.out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new VersusReport()).execute(args));
  }

  /** Which way is better for a figure. */
  enum Better {
    HIGHER("higher is better"),
    LOWER("lower is better");

    final String text;

    Better(String text) {
      this.text = text;
    }
  }

  /** One printed row: a label, both values (NaN when missing), and how to read the ratio. */
  record Row(String label, double ours, double upstream, Better better, Function<Double, String> format, String oursNote,
      String upstreamNote) {
    double ratio() {
      return ours / upstream;
    }

    /** Whether ours is the better one (ties count as not worse). */
    boolean oursBetterOrEqual() {
      return better == Better.HIGHER ? ours >= upstream : ours <= upstream;
    }
  }

  @Override
  public Integer call() throws Exception {
    Map<String, List<Double>> ours = Results.read(oursFile);
    Map<String, List<Double>> upstream = Results.read(upstreamFile);
    List<Row> rows = rows(ours, upstream);
    out.print(table(rows));
    out.println();
    out.print(rounds(ours, upstream));
    int rc = 0;
    for (var target : List.of(Map.entry("ours", ours), Map.entry("upstream", upstream))) {
      double calls = sum(target.getValue(), Pattern.compile("\\.calls$"));
      double errors = sum(target.getValue(), Pattern.compile("\\.errors$"));
      double violations = sum(target.getValue(), Pattern.compile("\\.violations$"));
      double rate = Report.errorRate((long) errors, (long) calls);
      out.printf(Locale.ROOT, "%-8s: %,.0f sentry calls, %,.0f errors (%.4f%%); %,.0f placement protocol violations%n",
          target.getKey(), calls, errors, rate * 100, violations);
      if (rate > Report.MAX_ERROR_RATE || violations > 0) {
        out.printf(Locale.ROOT, "FAILED: %s: error rate above %.1f%% or protocol violations%n", target.getKey(),
            Report.MAX_ERROR_RATE * 100);
        rc = 1;
      }
    }
    List<String> missing = rows.stream().filter(r -> Double.isNaN(r.ours()) || Double.isNaN(r.upstream())).map(Row::label).toList();
    if (!missing.isEmpty()) {
      out.println("FAILED: no figure for " + String.join("; ", missing));
      rc = 1;
    }
    return rc;
  }

  static List<Row> rows(Map<String, List<Double>> ours, Map<String, List<Double>> upstream) {
    List<Row> rows = new ArrayList<>();
    for (KeyType t : KeyType.values()) {
      String k = "sentry." + t.flag + ".";
      if (!ours.containsKey(k + "peak_per_s") && !upstream.containsKey(k + "peak_per_s")) {
        continue;
      }
      rows.add(new Row("sentry: issuance peak, " + t.display + " CSRs (/s)", median(ours, k + "peak_per_s"),
          median(upstream, k + "peak_per_s"), Better.HIGHER, v -> fmt(v, 0), "", ""));
      rows.add(new Row("sentry: p99 at half of its own peak, " + t.display + " (ms)", median(ours, k + "half_p99_ms"),
          median(upstream, k + "half_p99_ms"), Better.LOWER, v -> fmt(v, 2),
          " @ " + fmt(median(ours, k + "half_per_s"), 0) + "/s", " @ " + fmt(median(upstream, k + "half_per_s"), 0) + "/s"));
      if (ours.containsKey(k + "peak_cpu_us_per_cert") || upstream.containsKey(k + "peak_cpu_us_per_cert")) {
        rows.add(new Row("sentry: CPU per certificate at peak, " + t.display + " (µs)", median(ours, k + "peak_cpu_us_per_cert"),
            median(upstream, k + "peak_cpu_us_per_cert"), Better.LOWER, v -> fmt(v, 0), "", ""));
      }
    }
    Pattern scenario = Pattern.compile("^placement\\.(\\d+)x(\\d+)\\.sample_ms$");
    TreeSet<String> scenarios = new TreeSet<>();
    for (String key : union(ours, upstream)) {
      Matcher m = scenario.matcher(key);
      if (m.matches()) {
        scenarios.add(m.group(1) + "x" + m.group(2));
      }
    }
    for (String sc : scenarios) {
      String[] nm = sc.split("x");
      String what = String.format(Locale.ROOT, "%,d sidecars", Integer.parseInt(nm[0]))
          + ("1".equals(nm[1]) ? "" : " in " + nm[1] + " namespaces");
      String k = "placement." + sc + ".";
      double[] o = values(ours, k + "sample_ms");
      double[] u = values(upstream, k + "sample_ms");
      String oursN = " (" + o.length + ")";
      String upN = " (" + u.length + ")";
      rows.add(new Row("placement: change → all " + what + " unlocked, p50 (ms)", percentile(o, 50), percentile(u, 50),
          Better.LOWER, v -> fmt(v, 1), "", ""));
      rows.add(new Row("placement: change → all " + what + " unlocked, p99 (ms)", percentile(o, 99), percentile(u, 99),
          Better.LOWER, v -> fmt(v, 1), oursN, upN));
      rows.add(new Row("placement: " + what + " connect and converge (ms)", median(ours, k + "connect_ms"),
          median(upstream, k + "connect_ms"), Better.LOWER, v -> fmt(v, 0), "", ""));
    }
    if (ours.containsKey("scheduler.cycles_per_s") || upstream.containsKey("scheduler.cycles_per_s")) {
      rows.add(new Row("scheduler: workflow-shaped cycles, due now → trigger → ack (/s)", median(ours, "scheduler.cycles_per_s"),
          median(upstream, "scheduler.cycles_per_s"), Better.HIGHER, v -> fmt(v, 0), "", ""));
      rows.add(new Row("scheduler: those cycles' schedule → trigger p99 (ms)", median(ours, "scheduler.cycle_p99_ms"),
          median(upstream, "scheduler.cycle_p99_ms"), Better.LOWER, v -> fmt(v, 1), "", ""));
    }
    if (ours.containsKey("scheduler.lateness_p99_ms") || upstream.containsKey("scheduler.lateness_p99_ms")) {
      rows.add(new Row("scheduler: trigger lateness (fire − due) p50 (ms)", median(ours, "scheduler.lateness_p50_ms"),
          median(upstream, "scheduler.lateness_p50_ms"), Better.LOWER, v -> fmt(v, 0), "", ""));
      rows.add(new Row("scheduler: trigger lateness (fire − due) p99 (ms)", median(ours, "scheduler.lateness_p99_ms"),
          median(upstream, "scheduler.lateness_p99_ms"), Better.LOWER, v -> fmt(v, 0), "", ""));
    }
    for (String proc : List.of("sentry", "placement", "scheduler")) {
      for (String[] phase : List.of(new String[] {"rest", "at rest"}, new String[] {"load", "peak under load"})) {
        String k = "rss." + proc + "." + phase[0] + "_kib";
        if (ours.containsKey(k) || upstream.containsKey(k)) {
          rows.add(new Row("RSS " + proc + " " + phase[1] + " (MiB)", max(ours, k) / 1024, max(upstream, k) / 1024,
              Better.LOWER, v -> fmt(v, 0), "", ""));
        }
      }
    }
    return rows;
  }

  static String table(List<Row> rows) {
    String[][] cells = new String[rows.size() + 1][];
    cells[0] = new String[] {"metric", "ours", "upstream", "ours ÷ upstream", "read as"};
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      cells[i + 1] = new String[] {r.label(), r.format().apply(r.ours()) + r.oursNote(), r.format().apply(r.upstream()) + r.upstreamNote(),
          Double.isNaN(r.ratio()) || Double.isInfinite(r.ratio()) ? "-" : fmt(r.ratio(), 2),
          r.better().text + verdict(r)};
    }
    int[] width = new int[5];
    for (String[] row : cells) {
      for (int c = 0; c < row.length; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String[] row = cells[i];
      sb.append(String.format(Locale.ROOT, "| %-" + width[0] + "s | %" + width[1] + "s | %" + width[2] + "s | %" + width[3] + "s | %-"
          + width[4] + "s |%n", (Object[]) row));
      if (i == 0) {
        sb.append('|').append("-".repeat(width[0] + 2)).append('|').append("-".repeat(width[1] + 1)).append(":|")
            .append("-".repeat(width[2] + 1)).append(":|").append("-".repeat(width[3] + 1)).append(":|")
            .append("-".repeat(width[4] + 2)).append("|\n");
      }
    }
    return sb.toString();
  }

  private static String verdict(Row r) {
    if (Double.isNaN(r.ratio()) || Double.isInfinite(r.ratio())) {
      return "";
    }
    if (Math.abs(r.ratio() - 1) < 0.005) {
      return " (even)";
    }
    return r.oursBetterOrEqual() ? " (ours better)" : " (upstream better)";
  }

  /** Every figure measured more than once, per round, so the spread behind each median shows. */
  static String rounds(Map<String, List<Double>> ours, Map<String, List<Double>> upstream) {
    StringBuilder sb = new StringBuilder("per round (ours | upstream):\n");
    for (String key : union(ours, upstream)) {
      if (!key.matches("sentry\\.\\w+\\.(peak_per_s|half_p99_ms|peak_cpu_us_per_cert)|placement\\.\\w+\\.connect_ms")) {
        continue;
      }
      sb.append(String.format(Locale.ROOT, "  %-36s %s | %s%n", key, list(ours.get(key)), list(upstream.get(key))));
    }
    return sb.toString();
  }

  private static String list(List<Double> v) {
    return v == null ? "-" : v.stream().map(d -> fmt(d, d >= 100 ? 0 : 2)).collect(Collectors.joining(", "));
  }

  private static TreeSet<String> union(Map<String, List<Double>> a, Map<String, List<Double>> b) {
    TreeSet<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    return keys;
  }

  private static double sum(Map<String, List<Double>> m, Pattern key) {
    return m.entrySet().stream().filter(e -> key.matcher(e.getKey()).find())
        .flatMap(e -> e.getValue().stream()).mapToDouble(Double::doubleValue).sum();
  }

  private static double[] values(Map<String, List<Double>> m, String key) {
    return m.getOrDefault(key, List.of()).stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double median(Map<String, List<Double>> m, String key) {
    return percentile(values(m, key), 50);
  }

  private static double max(Map<String, List<Double>> m, String key) {
    return Arrays.stream(values(m, key)).max().orElse(Double.NaN);
  }

  /** Nearest-rank percentile; the median of an even count is the mean of the middle two. NaN when empty. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    if (p == 50 && s.length % 2 == 0) {
      return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }
}
