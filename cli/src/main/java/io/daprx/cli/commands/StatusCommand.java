package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code daprx status}: the control plane's health per component, as {@code dapr status -k} prints it (NAME, NAMESPACE,
 * HEALTHY, STATUS, REPLICAS, VERSION, AGE, CREATED), from the pods the cluster's Kubernetes API lists.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = {"Show the health of the current cluster's control plane,"
    + " as dapr status -k.", "  daprx status", "  daprx status -o json"})
public final class StatusCommand extends ClientCommand implements Callable<Integer> {

  /** dapr status -k's CREATED format. */
  static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm.ss").withZone(ZoneOffset.UTC);

  @Option(names = {"--namespace", "-n"}, description = "the control plane's namespace (default: dapr-system)", defaultValue = "dapr-system")
  String namespace;

  @Mixin
  ClusterOptions cluster;

  @Override
  public Integer call() {
    JsonNode pods = api().get(clusterPath(cluster) + "/kube/api/v1/namespaces/" + namespace + "/pods").body().path("items");
    ArrayNode rows = status(pods, Instant.now());
    boolean outputGiven = spec.commandLine().getParseResult().hasMatchedOption("--output");
    if (outputGiven) {
      print(rows);
      return 0;
    }
    if (rows.isEmpty()) {
      err().println("No status returned. Is Dapr initialized in your cluster (namespace " + namespace + ")?");
      err().flush();
      return 1;
    }
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"NAME", "NAMESPACE", "HEALTHY", "STATUS", "REPLICAS", "VERSION", "AGE", "CREATED"});
    for (JsonNode r : rows) {
      table.add(new String[] {r.path("name").asText(), r.path("namespace").asText(), r.path("healthy").asText(), r.path("status").asText(),
          r.path("replicas").asText(), r.path("version").asText(), r.path("age").asText(), r.path("created").asText()});
    }
    out().print(GetCommand.table(table));
    out().flush();
    return 0;
  }

  /**
   * One row per control-plane workload (the pods' {@code app} label): healthy when every replica is ready; Running when
   * every replica runs, else the first other state (a waiting reason such as CrashLoopBackOff, or the phase); the
   * version of the image; age and creation time of the oldest replica.
   */
  static ArrayNode status(JsonNode pods, Instant now) {
    Map<String, List<JsonNode>> byApp = new TreeMap<>();
    for (JsonNode p : pods) {
      byApp.computeIfAbsent(p.path("metadata").path("labels").path("app").asText(p.path("metadata").path("name").asText()),
          k -> new ArrayList<>()).add(p);
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    byApp.forEach((app, replicas) -> {
      boolean healthy = true;
      String status = "Running";
      Instant oldest = null;
      String version = "";
      for (JsonNode p : replicas) {
        JsonNode cs = p.path("status").path("containerStatuses").path(0);
        healthy &= cs.path("ready").asBoolean();
        String state = cs.path("state").has("waiting") ? cs.path("state").path("waiting").path("reason").asText("Waiting")
            : p.path("metadata").has("deletionTimestamp") ? "Terminating" : p.path("status").path("phase").asText();
        if (status.equals("Running") && !state.equals("Running")) {
          status = state;
        }
        String image = cs.path("image").asText(p.path("spec").path("containers").path(0).path("image").asText(""));
        version = image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : version;
        Instant created = Instant.parse(p.path("metadata").path("creationTimestamp").asText(now.toString()));
        oldest = oldest == null || created.isBefore(oldest) ? created : oldest;
      }
      ObjectNode row = out.addObject();
      row.put("name", app);
      row.put("namespace", replicas.get(0).path("metadata").path("namespace").asText());
      row.put("healthy", healthy ? "True" : "False");
      row.put("status", status);
      row.put("replicas", replicas.size());
      row.put("version", version);
      row.put("age", GetCommand.age(Duration.between(oldest, now)));
      row.put("created", CREATED.format(oldest));
    });
    return out;
  }
}
