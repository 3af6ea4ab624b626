package io.daprx.injector.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The injection decision for one pod and, when it injects, the RFC 6902 patch: a pure function of the pod, its
 * namespace and the {@link SidecarSettings}, shared by the webhook and {@code daprx inject}.
 *
 * <p>Patch shape (as upstream's, so a reinvoked or replayed patch behaves the same): {@code add} operations only;
 * {@code /spec/containers}, {@code /metadata/labels}, {@code /spec/volumes} (and {@code /spec/initContainers} for a
 * native sidecar) are created empty when missing, then appended to with {@code /-}; labels are added one by one
 * ({@code /metadata/labels/dapr.io~1app-id}); each app container's env is created whole when it has none, else
 * appended to, leaving variables the container already sets alone.
 */
public final class PodPatch {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  public static final String LABEL_INJECTED = "dapr.io/sidecar-injected";
  public static final String LABEL_APP_ID = "dapr.io/app-id";
  public static final String LABEL_METRICS_ENABLED = "dapr.io/metrics-enabled";

  private PodPatch() {}

  /** What the injector does with a pod. */
  public sealed interface Outcome {
    /** Allowed unchanged. */
    record Skipped(String reason) implements Outcome {}

    /** Allowed with this patch. */
    record Patched(ArrayNode operations, String appId) implements Outcome {}

    /** Denied: the annotations cannot make a working sidecar; the message says which and why. */
    record Rejected(String message) implements Outcome {}
  }

  /** Whether {@code dapr.io/enabled} is truthy. */
  public static boolean enabled(JsonNode pod) {
    JsonNode v = pod.path("metadata").path("annotations").get(Annotation.ENABLED.key());
    return v != null && Annotation.truthy(v.asText());
  }

  /** Whether a container named {@code daprd} is already there (in containers or initContainers). */
  public static boolean hasSidecar(JsonNode pod) {
    return named(pod.path("spec").path("containers")) || named(pod.path("spec").path("initContainers"));
  }

  private static boolean named(JsonNode containers) {
    for (JsonNode c : containers) {
      if (SidecarContainer.NAME.equals(c.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  /** As {@link #compute(JsonNode, String, String, SidecarSettings)}, with the pod's name as the app id fallback. */
  public static Outcome compute(JsonNode pod, String namespace, SidecarSettings settings) {
    return compute(pod, namespace, null, settings);
  }

  /**
   * @param namespace the pod's namespace, or null when unknown (daprd then reads it from the downward API)
   * @param appIdFallback the app id when {@code dapr.io/app-id} is absent and the pod has no name (a workload's
   *     pod template); null = the pod's name only
   */
  public static Outcome compute(JsonNode pod, String namespace, String appIdFallback, SidecarSettings settings) {
    if (!enabled(pod)) {
      return new Outcome.Skipped(Annotation.ENABLED.key() + " is not true");
    }
    String shape = shapeProblem(pod); // first: the checks below read the pod's lists
    if (shape != null) {
      return new Outcome.Rejected("the pod cannot be injected: " + shape);
    }
    if (hasSidecar(pod)) {
      return new Outcome.Skipped("the pod already has a " + SidecarContainer.NAME + " container");
    }
    SidecarConfig config;
    try {
      config = SidecarConfig.fromAnnotations(annotations(pod));
    } catch (InvalidAnnotationsException e) {
      return new Outcome.Rejected(e.getMessage());
    }
    String appId = config.string(Annotation.APP_ID);
    if (appId == null || appId.isEmpty()) {
      String name = pod.path("metadata").path("name").asText("");
      appId = !name.isEmpty() ? name : appIdFallback;
      if (appId == null || appId.isEmpty()) {
        return new Outcome.Rejected(Annotation.APP_ID.key() + " is not set and the pod has no name yet to use instead: set "
            + Annotation.APP_ID.key());
      }
      if (!Annotation.validAppId(appId)) {
        return new Outcome.Rejected(Annotation.APP_ID.key() + " is not set and the pod name \"" + appId
            + "\" is not a valid app id (" + Annotation.Kind.APP_ID.accepted() + "): set " + Annotation.APP_ID.key());
      }
    }
    String mismatch = podMismatch(pod, config);
    if (mismatch != null) {
      return new Outcome.Rejected(mismatch);
    }
    boolean nativeSidecar = config.bool(Annotation.ENABLE_NATIVE_SIDECAR, settings.nativeSidecar());
    return new Outcome.Patched(operations(pod, namespace, config, settings, appId, nativeSidecar), appId);
  }

  /**
   * What in the pod is not shaped as a pod, or null. The patch is computed from these lists and indexes into them; a
   * pod the API server would refuse anyway is denied with what is wrong, never answered with a failure of ours.
   */
  static String shapeProblem(JsonNode pod) {
    JsonNode spec = pod.path("spec");
    if (!spec.isObject()) {
      return "spec must be an object with the pod's containers"; // a patch adds to spec's lists: without one it cannot apply
    }
    for (String list : java.util.List.of("containers", "initContainers")) {
      String problem = listOfObjects(spec.get(list), "spec." + list, "a container");
      for (int i = 0; problem == null && spec.path(list).isArray() && i < spec.path(list).size(); i++) {
        JsonNode c = spec.path(list).get(i);
        String where = "spec." + list + "[" + i + "]";
        if (c.has("name") && !c.get("name").isTextual()) {
          return where + ".name must be a string";
        }
        for (String field : java.util.List.of("env", "envFrom", "volumeMounts", "ports")) {
          problem = problem != null ? problem : listOfObjects(c.get(field), where + "." + field, "an object");
        }
      }
      if (problem != null) {
        return problem;
      }
    }
    String volumes = listOfObjects(spec.get("volumes"), "spec.volumes", "a volume");
    if (volumes != null) {
      return volumes;
    }
    for (String map : java.util.List.of("labels", "annotations")) {
      JsonNode m = pod.path("metadata").get(map);
      if (m != null && !m.isNull() && !m.isObject()) {
        return "metadata." + map + " must be a map of strings";
      }
    }
    return null;
  }

  /**
   * What the annotations name that the pod does not have, or a daprd mount path taken twice; null when all fits. Upstream
   * skips such a mount or container with a log line the pod's owner never sees; refused here, naming the annotation.
   */
  static String podMismatch(JsonNode pod, SidecarConfig config) {
    Set<String> volumes = new HashSet<>();
    pod.path("spec").path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
    Map<String, String> daprdPaths = new HashMap<>();
    daprdPaths.put(SidecarContainer.TOKEN_MOUNT_PATH, "the sentry token");
    if (SidecarContainer.unixDomainSocketPath(config) != null) {
      daprdPaths.put(SidecarContainer.UNIX_DOMAIN_SOCKET_DAPRD_PATH, "the app's sockets (" + Annotation.UNIX_DOMAIN_SOCKET_PATH.key() + ")");
    }
    if (!config.pluggableComponents().isEmpty()) {
      daprdPaths.put(SidecarContainer.componentsSocketsFolder(config), "the components' sockets");
    }
    for (ListValues.Mount m : config.volumeMounts()) {
      Annotation a = m.readOnly() ? Annotation.VOLUME_MOUNTS : Annotation.VOLUME_MOUNTS_RW;
      if (!volumes.contains(m.volume())) {
        return "annotation " + a.key() + " names volume \"" + m.volume() + "\", which the pod does not have: add it to"
            + " spec.volumes or remove it from the annotation";
      }
      String taken = daprdPaths.putIfAbsent(m.path(), "volume \"" + m.volume() + "\"");
      if (taken != null) {
        return "annotation " + a.key() + " mounts volume \"" + m.volume() + "\" at " + m.path() + ", where daprd already mounts "
            + taken + ": choose another path";
      }
    }
    Set<String> containers = new HashSet<>();
    pod.path("spec").path("containers").forEach(c -> containers.add(c.path("name").asText()));
    for (String name : config.pluggableComponents()) {
      if (!containers.contains(name)) {
        return "annotation " + Annotation.PLUGGABLE_COMPONENTS.key() + " names container \"" + name + "\", which the pod does not"
            + " have (its containers: " + String.join(", ", new java.util.TreeSet<>(containers)) + ")";
      }
    }
    Set<String> plain = config.env().keySet();
    for (ListValues.SecretEnv ref : config.secretEnv()) {
      if (plain.contains(ref.name())) {
        return "annotations " + Annotation.ENV.key() + " and " + Annotation.ENV_FROM_SECRET.key() + " both set " + ref.name()
            + ": keep one";
      }
    }
    return null;
  }

  private static String listOfObjects(JsonNode n, String where, String element) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isArray()) {
      return where + " must be a list (got " + n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ")";
    }
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isObject()) {
        return where + "[" + i + "] must be " + element;
      }
    }
    return null;
  }

  private static ArrayNode operations(JsonNode pod, String namespace, SidecarConfig config, SidecarSettings settings,
      String appId, boolean nativeSidecar) {
    JsonNode spec = pod.path("spec");
    ArrayNode ops = JSON.arrayNode();
    if (isEmpty(spec.path("containers"))) {
      add(ops, "/spec/containers", JSON.arrayNode());
    }
    if (isEmpty(pod.path("metadata").path("labels"))) {
      add(ops, "/metadata/labels", JSON.objectNode());
    }
    if (isEmpty(spec.path("volumes"))) {
      add(ops, "/spec/volumes", JSON.arrayNode());
    }
    // upstream's order: the socket volume, then the token; a volume the pod already has under that name is left alone
    Set<String> podVolumes = new HashSet<>();
    spec.path("volumes").forEach(v -> podVolumes.add(v.path("name").asText()));
    String socketPath = SidecarContainer.unixDomainSocketPath(config);
    if (socketPath != null && !podVolumes.contains(SidecarContainer.UNIX_DOMAIN_SOCKET_VOLUME)) {
      add(ops, "/spec/volumes/-", SidecarContainer.unixDomainSocketVolume());
    }
    if (!podVolumes.contains(SidecarContainer.TOKEN_VOLUME)) {
      add(ops, "/spec/volumes/-", SidecarContainer.tokenVolume(settings));
    }
    Set<String> components = config.pluggableComponents();
    if (!components.isEmpty() && !podVolumes.contains(SidecarContainer.COMPONENTS_SOCKET_VOLUME)) {
      add(ops, "/spec/volumes/-", SidecarContainer.componentsSocketVolume());
    }
    String sidecarPath = "/spec/containers";
    if (nativeSidecar) {
      sidecarPath = "/spec/initContainers";
      if (isEmpty(spec.path("initContainers"))) {
        add(ops, sidecarPath, JSON.arrayNode());
      }
    }
    add(ops, sidecarPath + "/-", SidecarContainer.build(config, settings, appId, namespace, nativeSidecar));
    add(ops, "/metadata/labels/" + escape(LABEL_INJECTED), JSON.textNode("true"));
    add(ops, "/metadata/labels/" + escape(LABEL_APP_ID), JSON.textNode(appId));
    add(ops, "/metadata/labels/" + escape(LABEL_METRICS_ENABLED), JSON.textNode(String.valueOf(config.bool(Annotation.ENABLE_METRICS))));
    appEnv(ops, spec.path("containers"), config);
    if (socketPath != null) {
      appSocketMounts(ops, spec.path("containers"), config, socketPath);
    }
    if (!components.isEmpty()) {
      componentContainers(ops, spec.path("containers"), config);
    }
    return ops;
  }

  /**
   * The pluggable-component containers get the components' socket folder, as a mount of the shared volume and as
   * {@code DAPR_COMPONENT_SOCKETS_FOLDER}, unless they set either already; they are no app, so nothing else.
   */
  private static void componentContainers(ArrayNode ops, JsonNode containers, SidecarConfig config) {
    String folder = SidecarContainer.componentsSocketsFolder(config);
    for (int i = 0; i < containers.size(); i++) {
      JsonNode c = containers.get(i);
      if (!config.pluggableComponents().contains(c.path("name").asText())) {
        continue;
      }
      String path = "/spec/containers/" + i;
      JsonNode env = c.path("env");
      ArrayNode one = JSON.arrayNode();
      SidecarContainer.env(one, SidecarContainer.COMPONENTS_SOCKETS_FOLDER_ENV, folder);
      if (isEmpty(env)) {
        add(ops, path + "/env", one);
      } else if (!names(env, "name").contains(SidecarContainer.COMPONENTS_SOCKETS_FOLDER_ENV)) {
        add(ops, path + "/env/-", one.get(0));
      }
      JsonNode mounts = c.path("volumeMounts");
      ObjectNode mount = SidecarContainer.componentsSocketMount(folder);
      if (isEmpty(mounts)) {
        add(ops, path + "/volumeMounts", JSON.arrayNode().add(mount));
      } else if (!names(mounts, "name").contains(SidecarContainer.COMPONENTS_SOCKET_VOLUME) && !names(mounts, "mountPath").contains(folder)) {
        add(ops, path + "/volumeMounts/-", mount);
      }
    }
  }

  private static Set<String> names(JsonNode list, String field) {
    Set<String> out = new HashSet<>();
    list.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }

  /**
   * The socket volume mounted at {@code dapr.io/unix-domain-socket-path} in every app container, so the app reaches
   * daprd's sockets; a container that already mounts something at that path or under that name is left alone.
   */
  private static void appSocketMounts(ArrayNode ops, JsonNode containers, SidecarConfig config, String socketPath) {
    for (int i = 0; i < containers.size(); i++) {
      if (config.pluggableComponents().contains(containers.get(i).path("name").asText())) {
        continue;
      }
      JsonNode mounts = containers.get(i).path("volumeMounts");
      String path = "/spec/containers/" + i + "/volumeMounts";
      if (isEmpty(mounts)) {
        add(ops, path, JSON.arrayNode().add(SidecarContainer.unixDomainSocketMount(socketPath)));
        continue;
      }
      boolean taken = false;
      for (JsonNode m : mounts) {
        taken |= socketPath.equals(m.path("mountPath").asText())
            || SidecarContainer.UNIX_DOMAIN_SOCKET_VOLUME.equals(m.path("name").asText());
      }
      if (!taken) {
        add(ops, path + "/-", SidecarContainer.unixDomainSocketMount(socketPath));
      }
    }
  }

  /** {@code DAPR_HTTP_PORT}, {@code DAPR_GRPC_PORT} and {@code APP_PROTOCOL} for every app container, unless set; not for components. */
  private static void appEnv(ArrayNode ops, JsonNode containers, SidecarConfig config) {
    String[][] vars = {
        {"DAPR_HTTP_PORT", String.valueOf(SidecarContainer.HTTP_PORT)},
        {"DAPR_GRPC_PORT", String.valueOf(config.integer(Annotation.GRPC_PORT))},
        {"APP_PROTOCOL", appProtocol(config)},
    };
    for (int i = 0; i < containers.size(); i++) {
      if (config.pluggableComponents().contains(containers.get(i).path("name").asText())) {
        continue; // a component, not the app: upstream's splitContainers
      }
      JsonNode env = containers.get(i).path("env");
      Set<String> present = new HashSet<>();
      for (JsonNode e : env) {
        present.add(e.path("name").asText());
      }
      String path = "/spec/containers/" + i + "/env";
      if (isEmpty(env)) {
        ArrayNode all = JSON.arrayNode();
        for (String[] v : vars) {
          SidecarContainer.env(all, v[0], v[1]);
        }
        add(ops, path, all);
        continue;
      }
      for (String[] v : vars) {
        if (!present.contains(v[0])) {
          ArrayNode one = JSON.arrayNode();
          SidecarContainer.env(one, v[0], v[1]);
          add(ops, path + "/-", one.get(0));
        }
      }
    }
  }

  /** The app's protocol as the app containers are told it: {@code dapr.io/app-ssl} makes http https and grpc grpcs. */
  static String appProtocol(SidecarConfig config) {
    String protocol = config.string(Annotation.APP_PROTOCOL);
    if (config.bool(Annotation.APP_SSL)) {
      return switch (protocol) {
        case "http" -> "https";
        case "grpc" -> "grpcs";
        default -> protocol;
      };
    }
    return protocol;
  }

  /** The pod's annotations as strings (an annotation value is always a string in a valid object). */
  public static Map<String, String> annotations(JsonNode pod) {
    JsonNode a = pod.path("metadata").path("annotations");
    Map<String, String> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
    }
    return out;
  }

  private static boolean isEmpty(JsonNode n) {
    return n == null || n.isMissingNode() || n.isNull() || n.isEmpty();
  }

  private static void add(ArrayNode ops, String path, JsonNode value) {
    ObjectNode op = ops.addObject();
    op.put("op", "add");
    op.put("path", path);
    op.set("value", value);
  }

  /** RFC 6901: {@code ~} → {@code ~0}, {@code /} → {@code ~1}. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
