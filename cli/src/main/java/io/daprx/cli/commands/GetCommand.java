package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code daprx get pods|services|namespaces|events|components|...}: the current cluster's workloads and Dapr resources,
 * read through the cluster's Kubernetes API (what kubectl reads), in kubectl's shapes: the server's tables, {@code v1 List}s
 * of {@code v1} objects for {@code -o json|yaml}, {@code -o name}, {@code -o jsonpath=...}, {@code -l}, {@code -A}, {@code -w}.
 */
@Command(name = "get", mixinStandardHelpOptions = true, description = {
    "Show the pods, services, namespaces or events of the current cluster, or its Dapr resources, as kubectl does.",
    "  daprx get pods -n dapr-system", "  daprx get pods -A -l app=dapr-sentry -o wide", "  daprx get pods -n dapr-system -w",
    "  daprx get services -n dapr-system -o json", "  daprx get pods -o jsonpath='{.items[*].metadata.name}'",
    "  daprx get components", "  daprx get component statestore -n shop -o yaml"})
public final class GetCommand extends ClientCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "KIND",
      description = "pods (po), services (svc), namespaces (ns), events (ev), components, configurations, subscriptions, resiliencies,"
          + " httpendpoints, mcpservers or workflowaccesspolicies")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "one object by name")
  String name;

  @Option(names = {"--namespace", "-n"}, description = "only this namespace (default: all namespaces of the cluster)")
  String namespace;

  @Option(names = {"--all-namespaces", "-A"}, description = "every namespace, with a NAMESPACE column")
  boolean allNamespaces;

  @Option(names = {"--selector", "-l"}, paramLabel = "SELECTOR", description = "only objects whose labels match, e.g. app=dapr-sentry")
  String selector;

  @Option(names = {"--watch", "-w"}, description = "after listing, print each change as it happens (pods)")
  boolean watch;

  @Mixin
  ClusterOptions cluster;

  /** What kubectl calls a resource: where its API is and how it names it. */
  record Resource(String api, String plural, String singular, boolean namespaced, boolean dapr) {}

  static Resource resource(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "pods", "pod", "po" -> new Resource("api/v1", "pods", "pod", true, false);
      case "services", "service", "svc" -> new Resource("api/v1", "services", "service", true, false);
      case "namespaces", "namespace", "ns" -> new Resource("api/v1", "namespaces", "namespace", false, false);
      case "events", "event", "ev" -> new Resource("api/v1", "events", "event", true, false);
      default -> {
        io.daprx.common.dapr.ResourceKind k = DeleteCommand.kind(word);
        yield new Resource("apis/dapr.io/" + k.servedVersion(), k.plural(), k.reference(), true, true);
      }
    };
  }

  /** -o takes kubectl's values here (wide as well as az's), checked where the output is chosen. */
  @Override
  public void checkArguments() {}

  @Override
  public Integer call() {
    Resource r = resource(kind);
    if (allNamespaces && namespace != null) {
      throw new IllegalArgumentException("--namespace and --all-namespaces cannot be given together");
    }
    String ns = r.namespaced() && !allNamespaces ? (namespace != null ? namespace : name != null ? "default" : null) : null;
    String path = clusterPath(cluster) + "/kube/" + r.api() + (ns == null ? "" : "/namespaces/" + ns) + "/" + r.plural()
        + (name == null ? "" : "/" + name);
    String query = selector == null ? "" : "?labelSelector=" + java.net.URLEncoder.encode(selector, java.nio.charset.StandardCharsets.UTF_8);
    boolean outputGiven = spec.commandLine().getParseResult().hasMatchedOption("--output");
    String o = outputGiven ? global.output : "table";
    boolean table = o.equalsIgnoreCase("table") || o.equalsIgnoreCase("wide");
    boolean withNamespace = allNamespaces || (r.namespaced() && ns == null && name == null && r.dapr());
    if (watch && !r.plural().equals("pods")) {
      throw new IllegalArgumentException("--watch is served for pods; list " + r.plural() + " again to see changes");
    }
    if (table && r.dapr()) {
      JsonNode got = api().get(path + query).body();
      List<JsonNode> list = new ArrayList<>();
      if (name != null) {
        list.add(got);
      } else {
        got.path("items").forEach(list::add);
      }
      if (list.isEmpty()) {
        return noneFound(ns);
      }
      out().print(resources(r.plural(), list, withNamespace));
      out().flush();
      return 0;
    }
    if (table) {
      JsonNode t = api().send("GET", path + query + (query.isEmpty() ? "?" : "&") + "includeObject=Object", null, Map.of("Accept", TABLE)).body();
      if (t.path("rows").isEmpty()) {
        noneFound(ns);
      } else {
        TableView view = TableView.of(t, o.equalsIgnoreCase("wide"), allNamespaces);
        out().print(view.render(t.path("rows")));
        out().flush();
      }
      if (watch) {
        watch(path, query, true, o.equalsIgnoreCase("wide"), TableView.of(t, o.equalsIgnoreCase("wide"), allNamespaces));
      }
      return 0;
    }
    if (r.plural().equals("services") && !o.equalsIgnoreCase("name") && !o.toLowerCase(Locale.ROOT).startsWith("jsonpath=")) {
      // a local Service's JSON is daprx's view — its loopback address and the ready endpoints behind it — which
      // scripts read with --query; a v1 Service has neither (its table has kubectl's columns)
      JsonNode items = items(api().get(clusterPath(cluster) + "/services" + (ns == null ? "" : "?namespace=" + ns)).body());
      print(items);
      return 0;
    }
    JsonNode got = api().get(path + query).body();
    JsonNode shown = name != null ? got : asList(got);
    printAs(o, shown, r);
    if (watch) {
      watch(path, query, false, false, null);
    }
    return 0;
  }

  private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";

  private int noneFound(String ns) {
    err().println("No resources found" + (ns == null ? "." : " in " + ns + " namespace."));
    err().flush();
    return 0;
  }

  /** A {@code PodList} as kubectl prints it: {@code v1 List} of the items, each with its apiVersion and kind. */
  static JsonNode asList(JsonNode typedList) {
    com.fasterxml.jackson.databind.node.ObjectNode list = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    list.put("apiVersion", "v1");
    com.fasterxml.jackson.databind.node.ArrayNode items = list.putArray("items");
    String kindOfItems = typedList.path("kind").asText("").replaceFirst("List$", "");
    String apiVersion = typedList.path("apiVersion").asText("v1");
    for (JsonNode item : typedList.path("items")) {
      com.fasterxml.jackson.databind.node.ObjectNode copy = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      copy.put("apiVersion", item.path("apiVersion").asText(apiVersion));
      copy.put("kind", item.path("kind").asText(kindOfItems));
      item.fields().forEachRemaining(e -> copy.set(e.getKey(), e.getValue()));
      items.add(copy);
    }
    list.put("kind", "List");
    list.putObject("metadata").put("resourceVersion", "");
    return list;
  }

  private void printAs(String o, JsonNode shown, Resource r) {
    String lower = o.toLowerCase(Locale.ROOT);
    if (lower.equals("name")) {
      List<JsonNode> items = new ArrayList<>();
      if (shown.has("items")) {
        shown.path("items").forEach(items::add);
      } else {
        items.add(shown);
      }
      items.forEach(i -> out().println(r.singular() + "/" + i.path("metadata").path("name").asText()));
      out().flush();
    } else if (lower.startsWith("jsonpath=")) {
      out().print(io.daprx.cli.output.JsonPathTemplate.render(o.substring("jsonpath=".length()), shown));
      out().println();
      out().flush();
    } else {
      print(shown);
    }
  }

  /** Prints each change of the watched pods: a table row, or the object in the chosen output, as kubectl get -w does. */
  private void watch(String path, String query, boolean table, boolean wide, TableView view) {
    String url = path + query + (query.isEmpty() ? "?" : "&") + "watch=true&resourceVersion=1" + (table ? "&includeObject=Object" : "");
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    java.io.OutputStream sink = new java.io.OutputStream() {
      @Override
      public void write(int b) {
        if (b == '\n') {
          event(line.toString(java.nio.charset.StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }

      private void event(String text) {
        if (text.isBlank()) {
          return;
        }
        try {
          JsonNode ev = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
          JsonNode object = ev.path("object");
          if (table) {
            out().print(view.rows(object.path("rows")));
          } else {
            printAs(global.output, object, resource(kind));
          }
          out().flush();
        } catch (java.io.IOException e) {
          throw new IllegalStateException("the server sent a watch event that is not JSON: " + e.getMessage(), e);
        }
      }
    };
    api().stream(url, table ? Map.of("Accept", TABLE) : Map.of(), sink);
  }

  /** The server's table as kubectl prints it: priority-0 columns (all with wide), upper-cased, NAMESPACE first with -A. */
  record TableView(List<Integer> columns, List<String> header, boolean namespace, int[] widths) {
    static TableView of(JsonNode t, boolean wide, boolean namespace) {
      List<Integer> cols = new ArrayList<>();
      List<String> header = new ArrayList<>();
      if (namespace) {
        header.add("NAMESPACE");
      }
      JsonNode defs = t.path("columnDefinitions");
      for (int i = 0; i < defs.size(); i++) {
        if (wide || defs.get(i).path("priority").asInt() == 0) {
          cols.add(i);
          header.add(defs.get(i).path("name").asText().toUpperCase(Locale.ROOT));
        }
      }
      int[] widths = new int[header.size()];
      for (int i = 0; i < header.size(); i++) {
        widths[i] = header.get(i).length();
      }
      TableView v = new TableView(cols, header, namespace, widths);
      t.path("rows").forEach(r -> {
        String[] cells = v.cells(r);
        for (int i = 0; i < cells.length; i++) {
          widths[i] = Math.max(widths[i], cells[i].length());
        }
      });
      return v;
    }

    String[] cells(JsonNode row) {
      List<String> out = new ArrayList<>();
      if (namespace) {
        out.add(row.path("object").path("metadata").path("namespace").asText());
      }
      for (int c : columns) {
        out.add(row.path("cells").path(c).asText());
      }
      return out.toArray(new String[0]);
    }

    String render(JsonNode rows) {
      return line(header.toArray(new String[0])) + rows(rows);
    }

    String rows(JsonNode rows) {
      StringBuilder sb = new StringBuilder();
      rows.forEach(r -> sb.append(line(cells(r))));
      return sb.toString();
    }

    private String line(String[] cells) {
      StringBuilder l = new StringBuilder();
      for (int i = 0; i < cells.length; i++) {
        l.append(cells[i]);
        if (i < cells.length - 1) {
          l.append(" ".repeat(Math.max(widths[i] - cells[i].length(), 0) + 3));
        }
      }
      return l.toString().stripTrailing() + "\n";
    }
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
