package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code daprx get pods|services|components|...}: the current cluster's control plane and Dapr resources, in kubectl's shape. */
@Command(name = "get", mixinStandardHelpOptions = true, description = {
    "Show the pods or services of the current cluster, or its Dapr resources, as kubectl does.",
    "  daprx get pods -n dapr-system", "  daprx get services -n dapr-system -o json",
    "  daprx get components", "  daprx get component statestore -n shop -o yaml"})
public final class GetCommand extends ClientCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "KIND",
      description = "pods (po), services (svc), components, configurations, subscriptions, resiliencies or httpendpoints")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "one resource by name (Dapr resources only)")
  String name;

  @Option(names = {"--namespace", "-n"}, description = "only this namespace (default: all namespaces of the cluster)")
  String namespace;

  @Mixin
  ClusterOptions cluster;

  /** -o takes kubectl's values here (wide as well as az's), checked where the output is chosen. */
  @Override
  public void checkArguments() {}

  @Override
  public Integer call() {
    String what = switch (kind.toLowerCase(Locale.ROOT)) {
      case "pods", "pod", "po" -> "pods";
      case "services", "service", "svc" -> "services";
      default -> null;
    };
    if (what == null) {
      return daprResources();
    }
    if (name != null) {
      throw new IllegalArgumentException("get " + what + " takes no name: list them and filter with --query");
    }
    String path = clusterPath(cluster) + "/" + what + (namespace == null ? "" : "?namespace=" + namespace);
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

  /** Components, Configurations, ...: listed from every namespace unless -n is given; one by name in -n (default: default). */
  private int daprResources() {
    String plural = DeleteCommand.kind(kind).plural();
    String base = clusterPath(cluster) + "/resources/" + plural;
    boolean outputGiven = spec.commandLine().getParseResult().hasMatchedOption("--output");
    String o = outputGiven ? global.output.toLowerCase(Locale.ROOT) : "table";
    if (name != null) {
      JsonNode item = api().get(base + "/" + name + "?namespace=" + (namespace == null ? "default" : namespace)).body();
      if (o.equals("table") || o.equals("wide")) {
        out().print(resources(plural, List.of(item), false));
        out().flush();
      } else {
        print(item);
      }
      return 0;
    }
    JsonNode items = items(api().get(base + (namespace == null ? "" : "?namespace=" + namespace)).body());
    if (o.equals("table") || o.equals("wide")) {
      if (items.isEmpty()) {
        err().println("No resources found" + (namespace == null ? "." : " in " + namespace + " namespace."));
        err().flush();
        return 0;
      }
      List<JsonNode> list = new ArrayList<>();
      items.forEach(list::add);
      out().print(resources(plural, list, namespace == null));
      out().flush();
      return 0;
    }
    print(items);
    return 0;
  }

  /** dapr CLI's columns for components (NAME TYPE VERSION SCOPES AGE); NAME and AGE for the other kinds. */
  private static String resources(String plural, List<JsonNode> items, boolean withNamespace) {
    boolean components = plural.equals("components");
    List<String[]> rows = new ArrayList<>();
    List<String> header = new ArrayList<>();
    if (withNamespace) {
      header.add("NAMESPACE");
    }
    header.add("NAME");
    if (components) {
      header.addAll(List.of("TYPE", "VERSION", "SCOPES"));
    }
    header.add("AGE");
    rows.add(header.toArray(new String[0]));
    Instant now = Instant.now();
    for (JsonNode r : items) {
      List<String> row = new ArrayList<>();
      JsonNode meta = r.path("metadata");
      if (withNamespace) {
        row.add(meta.path("namespace").asText());
      }
      row.add(meta.path("name").asText());
      if (components) {
        List<String> scopes = new ArrayList<>();
        r.path("scopes").forEach(x -> scopes.add(x.asText()));
        row.addAll(List.of(r.path("spec").path("type").asText(), r.path("spec").path("version").asText(),
            scopes.isEmpty() ? "" : String.join(",", scopes)));
      }
      String created = meta.path("creationTimestamp").asText("");
      row.add(created.isEmpty() ? "<unknown>" : age(Duration.between(Instant.parse(created), now)));
      rows.add(row.toArray(new String[0]));
    }
    return table(rows);
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
