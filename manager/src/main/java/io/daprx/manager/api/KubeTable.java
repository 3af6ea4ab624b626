package io.daprx.manager.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.manager.engine.Json;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server-side table kubectl asks for ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}) and prints as it
 * is: kubectl has no printers of its own for these kinds. The columns are the API server's for each kind; priority 1
 * columns are the ones {@code -o wide} adds. fabric8 has no model of {@code meta.k8s.io/v1 Table}, so these records are it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record KubeTable(String kind, String apiVersion, Map<String, String> metadata, List<Column> columnDefinitions, List<Row> rows) {

  record Column(String name, String type, String format, String description, int priority) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Row(List<Object> cells, JsonNode object) {}

  /** How much of each object a row carries: kubectl's {@code includeObject} (Metadata unless asked otherwise). */
  enum Include {
    NONE, METADATA, OBJECT;

    static Include parse(String q) {
      if (q == null || q.isBlank() || q.equalsIgnoreCase("Metadata")) {
        return METADATA;
      }
      return q.equalsIgnoreCase("None") ? NONE : q.equalsIgnoreCase("Object") ? OBJECT : METADATA;
    }
  }

  static final List<Column> POD = List.of(name(), col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", 0),
      col("Status", "string", "The aggregate status of the containers in this pod.", 0),
      col("Restarts", "string", "The number of times the containers in this pod have been restarted.", 0), age(),
      col("IP", "string", "IP address allocated to the pod.", 1), col("Node", "string", "Name of the node the pod runs on.", 1),
      col("Nominated Node", "string", "Name of the node where the pod is nominated to run.", 1),
      col("Readiness Gates", "string", "The readiness gates of the pod.", 1));
  static final List<Column> SERVICE = List.of(name(), col("Type", "string", "The type of the service.", 0),
      col("Cluster-IP", "string", "The cluster IP of the service.", 0), col("External-IP", "string", "The external IPs of the service.", 0),
      col("Port(s)", "string", "The ports the service serves.", 0), age(), col("Selector", "string", "The label selector of the service.", 1));
  static final List<Column> NAMESPACE = List.of(name(), col("Status", "string", "The status of the namespace.", 0), age());
  static final List<Column> EVENT = List.of(col("Last Seen", "string", "When the event was last seen.", 0),
      col("Type", "string", "The type of the event.", 0), col("Reason", "string", "Why the event happened.", 0),
      col("Object", "string", "The object the event is about.", 0), col("Message", "string", "What happened.", 0));
  static final List<Column> RESOURCE = List.of(name(), age());

  static KubeTable of(List<Column> columns, List<Row> rows) {
    return new KubeTable("Table", "meta.k8s.io/v1", Map.of("resourceVersion", "1"), columns, rows);
  }

  static Row podRow(Pod p, Instant now, Include include) {
    var cs = p.getStatus().getContainerStatuses().get(0);
    String status = p.getMetadata().getDeletionTimestamp() != null ? "Terminating"
        : cs.getState().getWaiting() != null ? cs.getState().getWaiting().getReason() : p.getStatus().getPhase();
    List<Object> cells = new ArrayList<>(List.of(p.getMetadata().getName(), (Boolean.TRUE.equals(cs.getReady()) ? 1 : 0) + "/1", status,
        cs.getRestartCount(), KubeObjects.age(KubeObjects.instant(p.getMetadata().getCreationTimestamp()), now)));
    cells.add(p.getStatus().getPodIP() == null ? "<none>" : p.getStatus().getPodIP());
    cells.add(p.getSpec().getNodeName());
    cells.add("<none>");
    cells.add("<none>");
    return row(cells, p, include);
  }

  static Row serviceRow(Service s, Instant now, Include include) {
    String ports = String.join(",", s.getSpec().getPorts().stream().map(p -> p.getPort() + "/" + p.getProtocol()).toList());
    List<Object> cells = List.of(s.getMetadata().getName(), s.getSpec().getType(), s.getSpec().getClusterIP(), "<none>", ports,
        KubeObjects.age(KubeObjects.instant(s.getMetadata().getCreationTimestamp()), now),
        String.join(",", s.getSpec().getSelector().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
    return row(cells, s, include);
  }

  static Row namespaceRow(HasMetadata n, String phase, Instant now, Include include) {
    return row(List.of(n.getMetadata().getName(), phase, KubeObjects.age(KubeObjects.instant(n.getMetadata().getCreationTimestamp()), now)),
        n, include);
  }

  static Row resourceRow(ObjectNode o, Instant now, Include include) {
    JsonNode meta = o.path("metadata");
    return new Row(List.of(meta.path("name").asText(), KubeObjects.age(KubeObjects.instant(meta.path("creationTimestamp").asText(null)), now)),
        object(o, include));
  }

  private static Row row(List<Object> cells, HasMetadata object, Include include) {
    return new Row(cells, object(Json.MAPPER.valueToTree(object), include));
  }

  /** The row's object: kubectl reads its namespace (the NAMESPACE column of -A) and labels from it. */
  private static JsonNode object(ObjectNode full, Include include) {
    return switch (include) {
      case NONE -> null;
      case OBJECT -> full;
      case METADATA -> {
        ObjectNode m = Json.object();
        m.put("kind", "PartialObjectMetadata");
        m.put("apiVersion", "meta.k8s.io/v1");
        m.set("metadata", full.path("metadata").deepCopy());
        yield m;
      }
    };
  }

  private static Column name() {
    return new Column("Name", "string", "name", "Name must be unique within a namespace.", 0);
  }

  private static Column age() {
    return col("Age", "string", "The time since the object was created.", 0);
  }

  private static Column col(String name, String type, String description, int priority) {
    return new Column(name, type, "", description, priority);
  }
}
