package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daprx get pods|services}: the current cluster's control plane, in kubectl's shape. */
@Command(name = "get", mixinStandardHelpOptions = true, description = {"Show the pods or services of the current cluster, as kubectl does.",
    "  daprx get pods -n dapr-system", "  daprx get services -n dapr-system -o json"})
public final class GetCommand extends ClientCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "KIND", description = "pods (po) or services (svc)")
  String kind;

  @Option(names = {"--namespace", "-n"}, description = "only this namespace (default: all namespaces of the cluster)")
  String namespace;

  @Option(names = {"--cluster-name", "-c"}, description = "the cluster (default: the current cluster)")
  String clusterName;

  @Option(names = {"--resource-group", "-g"})
  String resourceGroup;

  @Override
  public Integer call() {
    String what = switch (kind.toLowerCase(Locale.ROOT)) {
      case "pods", "pod", "po" -> "pods";
      case "services", "service", "svc" -> "services";
      default -> throw new IllegalArgumentException("the server doesn't have a resource type \"" + kind + "\": use pods or services");
    };
    String path = clusterPath(cluster(resourceGroup, clusterName, null)) + "/" + what + (namespace == null ? "" : "?namespace=" + namespace);
    JsonNode items = items(api().get(path).body());
    boolean outputGiven = spec.commandLine().getParseResult().hasMatchedOption("--output");
    String o = outputGiven ? global.output.toLowerCase(Locale.ROOT) : "table";
    if (o.equals("table") || o.equals("wide")) {
      if (items.isEmpty()) {
        err().println("No resources found" + (namespace == null ? "." : " in " + namespace + " namespace."));
        err().flush();
        return 0;
      }
      out().print(what.equals("pods") ? pods(items, o.equals("wide")) : services(items, o.equals("wide")));
      out().flush();
      return 0;
    }
    print(items);
    return 0;
  }

  private static String pods(JsonNode items, boolean wide) {
    List<String[]> rows = new ArrayList<>();
    rows.add(wide ? new String[] {"NAME", "READY", "STATUS", "RESTARTS", "AGE", "PID", "COMPONENT"}
        : new String[] {"NAME", "READY", "STATUS", "RESTARTS", "AGE"});
    Instant now = Instant.now();
    for (JsonNode p : items) {
      String age = age(Duration.between(Instant.parse(p.path("createdAt").asText()), now));
      String[] base = {p.path("name").asText(), p.path("ready").asText(), p.path("status").asText(), p.path("restarts").asText(), age};
      rows.add(wide ? new String[] {base[0], base[1], base[2], base[3], base[4], p.path("pid").asText("<none>"), p.path("component").asText()} : base);
    }
    return table(rows);
  }

  private static String services(JsonNode items, boolean wide) {
    List<String[]> rows = new ArrayList<>();
    rows.add(wide ? new String[] {"NAME", "TYPE", "ADDRESS", "ENDPOINTS"} : new String[] {"NAME", "TYPE", "ADDRESS", "READY"});
    for (JsonNode s : items) {
      List<String> eps = new ArrayList<>();
      s.path("endpoints").forEach(e -> eps.add(e.asText()));
      rows.add(new String[] {s.path("name").asText(), s.path("type").asText(), s.path("address").asText(),
          wide ? (eps.isEmpty() ? "<none>" : String.join(",", eps)) : String.valueOf(eps.size())});
    }
    return table(rows);
  }

  /** kubectl's columns: as wide as the widest cell, three spaces apart, no trailing blanks. */
  static String table(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(r[i]);
        if (i < r.length - 1) {
          line.append(" ".repeat(width[i] - r[i].length() + 3));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  /** kubectl's short ages: 45s, 12m, 3h, 2d. */
  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 3600 * 2) {
      return (s / 60) + "m";
    }
    if (s < 86400 * 2) {
      return (s / 3600) + "h";
    }
    return (s / 86400) + "d";
  }
}
