package io.daprx.injector.patch;

import static io.daprx.injector.patch.Annotation.*;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code daprd} container and its token volume, as upstream's injector builds them
 * ({@code pkg/injector/patcher/sidecar_container.go}): the same argument order, env, ports, probes and security context.
 */
public final class SidecarContainer {

  public static final String NAME = "daprd";
  public static final int HTTP_PORT = 3500;
  public static final int PUBLIC_PORT = 3501;
  public static final String TOKEN_VOLUME = "dapr-identity-token";
  public static final String TOKEN_MOUNT_PATH = "/var/run/secrets/dapr.io/sentrytoken";
  public static final int TOKEN_EXPIRATION_SECONDS = 7200;
  /** The emptyDir (in memory) daprd and the app containers share for {@code dapr.io/unix-domain-socket-path}. */
  public static final String UNIX_DOMAIN_SOCKET_VOLUME = "dapr-unix-domain-socket";
  /** Where daprd mounts that volume, whatever the annotation says (upstream's {@code UnixDomainSocketDaprdPath}). */
  public static final String UNIX_DOMAIN_SOCKET_DAPRD_PATH = "/var/run/dapr-sockets";
  /** The emptyDir daprd and the pluggable-component containers share their sockets in. */
  public static final String COMPONENTS_SOCKET_VOLUME = "dapr-components-unix-domain-socket";
  /**
   * Where daprd and the component containers mount that emptyDir inside the pod, unless
   * {@code dapr.io/pluggable-components-sockets-folder} says otherwise: a path in the containers' own file systems that
   * the pluggable-component SDKs look in by default (upstream's injector writes the same), never a path on the machine
   * that runs the injector. Configured in {@code pod-paths.properties} beside this class.
   */
  public static final String COMPONENTS_SOCKETS_FOLDER = podPath("components-sockets-folder");
  /** The variable telling daprd and the component containers that folder. */
  public static final String COMPONENTS_SOCKETS_FOLDER_ENV = "DAPR_COMPONENT_SOCKETS_FOLDER";
  /** Upstream's Delve command line: daprd runs under the debugger, which waits for a client on the debug port. */
  private static final List<String> DEBUG_PREFIX = List.of("--accept-multiclient", "--headless=true", "--log", "--api-version=2",
      "exec", "/daprd", "--");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private SidecarContainer() {}

  /** A path inside the pod from {@code pod-paths.properties}; absolute, or the jar is broken. */
  private static String podPath(String key) {
    java.util.Properties paths = new java.util.Properties();
    try (java.io.InputStream in = SidecarContainer.class.getResourceAsStream("pod-paths.properties")) {
      if (in == null) {
        throw new IllegalStateException("pod-paths.properties is missing from the injector's classes");
      }
      paths.load(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read pod-paths.properties: " + e.getMessage(), e);
    }
    String path = paths.getProperty(key, "").strip();
    if (!path.startsWith("/")) {
      throw new IllegalStateException("pod-paths.properties: '" + key + "' must be an absolute path in the pod, not '" + path + "'");
    }
    return path;
  }

  /**
   * @param appId the validated app id
   * @param namespace the pod's namespace; null when unknown (offline injection), then read from the downward API
   * @param native true when daprd goes into initContainers with {@code restartPolicy: Always}
   */
  public static ObjectNode build(SidecarConfig c, SidecarSettings s, String appId, String namespace, boolean nativeSidecar) {
    ObjectNode ctr = JSON.objectNode();
    ctr.put("name", NAME);
    String image = c.string(SIDECAR_IMAGE);
    ctr.put("image", image != null ? image : s.sidecarImage());
    if (s.imagePullPolicy() != null && !s.imagePullPolicy().isEmpty()) {
      ctr.put("imagePullPolicy", s.imagePullPolicy());
    }
    ArrayNode args = ctr.putArray("args");
    for (String a : command(c, s, appId)) {
      args.add(a);
    }
    ArrayNode ports = ctr.putArray("ports");
    port(ports, "dapr-http", HTTP_PORT);
    port(ports, "dapr-grpc", c.integer(GRPC_PORT));
    port(ports, "dapr-internal", c.integer(INTERNAL_GRPC_PORT));
    port(ports, "dapr-metrics", c.integer(METRICS_PORT));
    if (c.bool(ENABLE_DEBUG)) {
      port(ports, "dapr-debug", c.integer(DEBUG_PORT));
    }
    ArrayNode env = env(c, s, namespace);
    ctr.set("env", env);
    ObjectNode resources = resources(c);
    if (resources != null) {
      ctr.set("resources", resources);
    }
    // upstream's order: the pod's volumes the annotations name, the app's sockets, the token, the components' sockets
    ArrayNode mounts = ctr.putArray("volumeMounts");
    for (ListValues.Mount m : c.volumeMounts()) {
      ObjectNode vm = mounts.addObject();
      vm.put("name", m.volume());
      vm.put("mountPath", m.path());
      if (m.readOnly()) {
        vm.put("readOnly", true);
      }
    }
    if (unixDomainSocketPath(c) != null) {
      mounts.add(unixDomainSocketMount(UNIX_DOMAIN_SOCKET_DAPRD_PATH));
    }
    ObjectNode mount = mounts.addObject();
    mount.put("name", TOKEN_VOLUME);
    mount.put("readOnly", true);
    mount.put("mountPath", TOKEN_MOUNT_PATH);
    if (!c.pluggableComponents().isEmpty()) {
      mounts.add(componentsSocketMount(componentsSocketsFolder(c)));
    }

    ObjectNode readiness = ctr.putObject("readinessProbe");
    ObjectNode get = readiness.putObject("httpGet");
    get.put("path", "/v1.0/healthz");
    get.put("port", PUBLIC_PORT);
    probeTimings(readiness, c.integer(READINESS_PROBE_DELAY_SECONDS), c.integer(READINESS_PROBE_TIMEOUT_SECONDS),
        c.integer(READINESS_PROBE_PERIOD_SECONDS), c.integer(READINESS_PROBE_THRESHOLD));
    // liveness by TCP: an HTTP check would restart a daprd that is alive but still waiting for its app or components
    ObjectNode liveness = ctr.putObject("livenessProbe");
    liveness.putObject("tcpSocket").put("port", PUBLIC_PORT);
    probeTimings(liveness, c.integer(LIVENESS_PROBE_DELAY_SECONDS), c.integer(LIVENESS_PROBE_TIMEOUT_SECONDS),
        c.integer(LIVENESS_PROBE_PERIOD_SECONDS), c.integer(LIVENESS_PROBE_THRESHOLD));

    ObjectNode sec = ctr.putObject("securityContext");
    sec.put("allowPrivilegeEscalation", false);
    sec.put("runAsNonRoot", s.runAsNonRoot());
    sec.put("readOnlyRootFilesystem", s.readOnlyRootFilesystem());
    if (s.dropAllCapabilities()) {
      sec.putObject("capabilities").putArray("drop").add("ALL");
    }
    String seccomp = c.string(SIDECAR_SECCOMP_PROFILE_TYPE);
    if (seccomp != null) {
      sec.putObject("seccompProfile").put("type", seccomp);
    }
    if (sets(env, "SSL_CERT_DIR")) {
      // upstream: installing the certificates into a Windows container's root store needs its administrator, and the
      // injector cannot tell Windows pods from Linux ones, so this applies to both (daprd's image runs non-root anyway)
      sec.putObject("windowsOptions").put("runAsUserName", "ContainerAdministrator");
      sec.put("runAsNonRoot", false);
      sec.put("readOnlyRootFilesystem", false);
    }
    if (nativeSidecar) {
      ctr.put("restartPolicy", "Always");
    }
    return ctr;
  }

  private static boolean sets(ArrayNode env, String name) {
    for (com.fasterxml.jackson.databind.JsonNode e : env) {
      if (name.equals(e.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The container's command line: daprd's, or with {@code dapr.io/enable-debug} Delve's running daprd (upstream's
   * {@code /dlv --listen :<debug-port> … exec /daprd -- <daprd's flags>}).
   */
  static List<String> command(SidecarConfig c, SidecarSettings s, String appId) {
    List<String> daprd = args(c, s, appId);
    if (!c.bool(ENABLE_DEBUG)) {
      return daprd;
    }
    List<String> dlv = new ArrayList<>(List.of("/dlv", "--listen", ":" + c.integer(DEBUG_PORT)));
    dlv.addAll(DEBUG_PREFIX);
    dlv.addAll(daprd.subList(1, daprd.size()));
    return dlv;
  }

  /** Where daprd and the component containers share the components' sockets. */
  static String componentsSocketsFolder(SidecarConfig c) {
    String folder = c.string(PLUGGABLE_COMPONENTS_SOCKETS_FOLDER);
    return folder == null || folder.isEmpty() ? COMPONENTS_SOCKETS_FOLDER : folder;
  }

  /** The emptyDir of the components' sockets (on disk, as upstream's). */
  public static ObjectNode componentsSocketVolume() {
    ObjectNode v = JSON.objectNode();
    v.put("name", COMPONENTS_SOCKET_VOLUME);
    v.putObject("emptyDir");
    return v;
  }

  static ObjectNode componentsSocketMount(String path) {
    ObjectNode m = JSON.objectNode();
    m.put("name", COMPONENTS_SOCKET_VOLUME);
    m.put("mountPath", path);
    return m;
  }

  /** daprd's command line, in upstream's order. */
  static List<String> args(SidecarConfig c, SidecarSettings s, String appId) {
    List<String> a = new ArrayList<>(64);
    a.add("/daprd");
    add(a, "--dapr-http-port", HTTP_PORT);
    add(a, "--dapr-grpc-port", c.integer(GRPC_PORT));
    add(a, "--dapr-internal-grpc-port", c.integer(INTERNAL_GRPC_PORT));
    add(a, "--dapr-listen-addresses", c.string(SIDECAR_LISTEN_ADDRESSES));
    add(a, "--dapr-public-port", PUBLIC_PORT);
    add(a, "--app-id", appId);
    add(a, "--app-protocol", c.string(APP_PROTOCOL));
    add(a, "--log-level", c.string(LOG_LEVEL));
    add(a, "--dapr-graceful-shutdown-seconds", c.integer(GRACEFUL_SHUTDOWN_SECONDS));
    add(a, "--mode", "kubernetes");
    add(a, "--control-plane-address", s.operatorAddress());
    add(a, "--sentry-address", s.sentryAddress());
    Integer appPort = c.optionalInteger(APP_PORT);
    if (appPort != null) {
      add(a, "--app-port", appPort);
    }
    if (c.bool(ENABLE_METRICS)) {
      a.add("--enable-metrics");
      add(a, "--metrics-port", c.integer(METRICS_PORT));
    }
    optional(a, "--config", c.string(CONFIG));
    optional(a, "--app-channel-address", c.string(APP_CHANNEL_ADDRESS));
    String placement = c.has(PLACEMENT_HOST_ADDRESS) ? c.string(PLACEMENT_HOST_ADDRESS) : s.placementAddress();
    optional(a, "--placement-host-address", placement);
    optional(a, "--sentry-request-jwt-audiences", c.string(SENTRY_REQUEST_JWT_AUDIENCES));
    if (c.has(ENABLE_API_LOGGING)) {
      // explicit either way: without the flag daprd falls back to the Configuration's setting
      a.add("--enable-api-logging=" + c.bool(ENABLE_API_LOGGING));
    }
    if (c.bool(DISABLE_BUILTIN_K8S_SECRET_STORE)) {
      a.add("--disable-builtin-k8s-secret-store");
    }
    if (c.bool(ENABLE_APP_HEALTH_CHECK)) {
      a.add("--enable-app-health-check");
      add(a, "--app-health-check-path", c.string(APP_HEALTH_CHECK_PATH));
      add(a, "--app-health-probe-interval", c.integer(APP_HEALTH_PROBE_INTERVAL));
      add(a, "--app-health-probe-timeout", c.integer(APP_HEALTH_PROBE_TIMEOUT));
      add(a, "--app-health-threshold", c.integer(APP_HEALTH_THRESHOLD));
    }
    if (c.bool(LOG_AS_JSON)) {
      a.add("--log-as-json");
    }
    if (c.bool(ENABLE_PROFILING)) {
      a.add("--enable-profiling");
    }
    a.add("--enable-mtls");
    // passed as is, not folded into --app-protocol: daprd converts it (and older daprds know only this)
    if (c.bool(APP_SSL)) {
      a.add("--app-ssl");
    }
    Integer concurrency = c.optionalInteger(APP_MAX_CONCURRENCY);
    if (concurrency != null) {
      add(a, "--app-max-concurrency", concurrency);
    }
    Long maxRequestSize = c.optionalLong(HTTP_MAX_REQUEST_SIZE);
    if (maxRequestSize != null) {
      add(a, "--dapr-http-max-request-size", maxRequestSize);
    }
    optional(a, "--max-body-size", c.string(MAX_BODY_SIZE));
    Long readBufferSize = c.optionalLong(HTTP_READ_BUFFER_SIZE);
    if (readBufferSize != null) {
      add(a, "--dapr-http-read-buffer-size", readBufferSize);
    }
    optional(a, "--read-buffer-size", c.string(READ_BUFFER_SIZE));
    if (unixDomainSocketPath(c) != null) {
      // daprd's side of the shared volume is fixed; the annotation only says where the app containers see it
      add(a, "--unix-domain-socket", UNIX_DOMAIN_SOCKET_DAPRD_PATH);
    }
    optional(a, "--dapr-block-shutdown-duration", c.string(BLOCK_SHUTDOWN_DURATION));
    optional(a, "--actors-disseminate-timeout", c.string(ACTORS_DISSEMINATE_TIMEOUT));
    // the annotation verbatim ("" turns the scheduler off), else the cluster's scheduler when it has one, as upstream
    if (c.has(SCHEDULER_HOST_ADDRESS)) {
      add(a, "--scheduler-host-address", c.string(SCHEDULER_HOST_ADDRESS));
    } else if (s.schedulerEnabled()) {
      add(a, "--scheduler-host-address", s.schedulerAddress());
    }
    optional(a, "--disable-init-endpoints", c.string(DISABLE_INIT_ENDPOINTS));
    return a;
  }

  private static ArrayNode env(SidecarConfig c, SidecarSettings s, String namespace) {
    ArrayNode env = JSON.arrayNode();
    if (namespace != null) {
      env(env, "NAMESPACE", namespace);
    } else {
      fieldRef(env, "NAMESPACE", "metadata.namespace");
    }
    env(env, "DAPR_TRUST_ANCHORS", s.trustAnchorsPem());
    fieldRef(env, "POD_NAME", "metadata.name");
    env(env, "DAPR_CONTROLPLANE_NAMESPACE", s.controlPlaneNamespace());
    env(env, "DAPR_CONTROLPLANE_TRUST_DOMAIN", s.controlPlaneTrustDomain());
    Map<String, String> extra = c.env();
    extra.forEach((k, v) -> env(env, k, v));
    List<String> keys = new ArrayList<>(extra.keySet());
    for (ListValues.SecretEnv ref : c.secretEnv()) {
      secretKeyRef(env, ref.name(), ref.secret(), ref.key());
      keys.add(ref.name());
    }
    if (!keys.isEmpty()) {
      // daprd keeps these names out of what it passes on to components as "secrets from env"
      env(env, "DAPR_ENV_KEYS", String.join(" ", keys));
    }
    if (!c.pluggableComponents().isEmpty()) {
      env(env, COMPONENTS_SOCKETS_FOLDER_ENV, componentsSocketsFolder(c));
    }
    secretToken(env, "DAPR_API_TOKEN", c.string(API_TOKEN_SECRET));
    secretToken(env, "APP_API_TOKEN", c.string(APP_TOKEN_SECRET));
    return env;
  }

  private static void secretToken(ArrayNode env, String name, String secret) {
    if (secret != null && !secret.isEmpty()) {
      secretKeyRef(env, name, secret, "token");
    }
  }

  private static void secretKeyRef(ArrayNode env, String name, String secret, String key) {
    ObjectNode e = env.addObject();
    e.put("name", name);
    ObjectNode ref = e.putObject("valueFrom").putObject("secretKeyRef");
    ref.put("name", secret);
    ref.put("key", key);
  }

  private static ObjectNode resources(SidecarConfig c) {
    ObjectNode limits = JSON.objectNode();
    ObjectNode requests = JSON.objectNode();
    putIf(limits, "cpu", c.string(SIDECAR_CPU_LIMIT));
    putIf(limits, "memory", c.string(SIDECAR_MEMORY_LIMIT));
    putIf(requests, "cpu", c.string(SIDECAR_CPU_REQUEST));
    putIf(requests, "memory", c.string(SIDECAR_MEMORY_REQUEST));
    if (limits.isEmpty() && requests.isEmpty()) {
      return null;
    }
    ObjectNode r = JSON.objectNode();
    if (!limits.isEmpty()) {
      r.set("limits", limits);
    }
    if (!requests.isEmpty()) {
      r.set("requests", requests);
    }
    return r;
  }

  /** {@code dapr.io/unix-domain-socket-path}, or null when the pod asks for no sockets. */
  static String unixDomainSocketPath(SidecarConfig c) {
    String path = c.string(UNIX_DOMAIN_SOCKET_PATH);
    return path == null || path.isEmpty() ? null : path;
  }

  /** The in-memory emptyDir the sockets live in. */
  public static ObjectNode unixDomainSocketVolume() {
    ObjectNode v = JSON.objectNode();
    v.put("name", UNIX_DOMAIN_SOCKET_VOLUME);
    v.putObject("emptyDir").put("medium", "Memory");
    return v;
  }

  /** A read-write mount of the socket volume at {@code path}. */
  static ObjectNode unixDomainSocketMount(String path) {
    ObjectNode m = JSON.objectNode();
    m.put("name", UNIX_DOMAIN_SOCKET_VOLUME);
    m.put("mountPath", path);
    return m;
  }

  /** The projected service-account token daprd shows sentry, with sentry's SPIFFE ID as its audience. */
  public static ObjectNode tokenVolume(SidecarSettings s) {
    ObjectNode v = JSON.objectNode();
    v.put("name", TOKEN_VOLUME);
    ObjectNode projected = v.putObject("projected");
    projected.put("defaultMode", 420); // 0644, as upstream sets it
    ObjectNode token = projected.putArray("sources").addObject().putObject("serviceAccountToken");
    token.put("audience", s.sentryAudience());
    token.put("expirationSeconds", TOKEN_EXPIRATION_SECONDS);
    token.put("path", "token");
    return v;
  }

  private static void probeTimings(ObjectNode probe, int delay, int timeout, int period, int threshold) {
    probe.put("initialDelaySeconds", delay);
    probe.put("timeoutSeconds", timeout);
    probe.put("periodSeconds", period);
    probe.put("failureThreshold", threshold);
  }

  private static void putIf(ObjectNode o, String k, String v) {
    if (v != null && !v.isEmpty()) {
      o.put(k, v);
    }
  }

  private static void port(ArrayNode ports, String name, int port) {
    ObjectNode p = ports.addObject();
    p.put("containerPort", port);
    p.put("name", name);
  }

  static void env(ArrayNode env, String name, String value) {
    ObjectNode e = env.addObject();
    e.put("name", name);
    e.put("value", value);
  }

  private static void fieldRef(ArrayNode env, String name, String path) {
    ObjectNode e = env.addObject();
    e.put("name", name);
    e.putObject("valueFrom").putObject("fieldRef").put("fieldPath", path);
  }

  private static void add(List<String> a, String flag, Object value) {
    a.add(flag);
    a.add(String.valueOf(value));
  }

  private static void optional(List<String> a, String flag, String value) {
    if (value != null && !value.isBlank()) {
      add(a, flag, value);
    }
  }
}
