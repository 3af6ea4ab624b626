package io.daprx.injector.patch;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every {@code dapr.io/…} pod annotation the injector reads, declared once with its kind (how a value is parsed and
 * which values are accepted) and its default (upstream's, 1.17/1.18). {@code null} default = not set.
 */
public enum Annotation {
  ENABLED("enabled", Kind.BOOL, "false"),
  APP_ID("app-id", Kind.APP_ID, null),
  APP_PORT("app-port", Kind.PORT, null),
  APP_PROTOCOL("app-protocol", Kind.PROTOCOL, "http"),
  /** Deprecated upstream (1.11): {@code --app-ssl}, which daprd turns http into https and grpc into grpcs with. */
  APP_SSL("app-ssl", Kind.BOOL, "false"),
  CONFIG("config", Kind.STRING, null),
  LOG_LEVEL("log-level", Kind.LOG_LEVEL, "info"),
  LOG_AS_JSON("log-as-json", Kind.BOOL, "false"),
  ENABLE_METRICS("enable-metrics", Kind.BOOL, "true"),
  METRICS_PORT("metrics-port", Kind.PORT, "9090"),
  GRPC_PORT("grpc-port", Kind.PORT, "50001"),
  INTERNAL_GRPC_PORT("internal-grpc-port", Kind.PORT, "50002"),
  SIDECAR_LISTEN_ADDRESSES("sidecar-listen-addresses", Kind.NON_EMPTY, "[::1],127.0.0.1"),
  SIDECAR_CPU_REQUEST("sidecar-cpu-request", Kind.QUANTITY, null),
  SIDECAR_CPU_LIMIT("sidecar-cpu-limit", Kind.QUANTITY, null),
  SIDECAR_MEMORY_REQUEST("sidecar-memory-request", Kind.QUANTITY, null),
  SIDECAR_MEMORY_LIMIT("sidecar-memory-limit", Kind.QUANTITY, null),
  ENV("env", Kind.ENV, null),
  /** Variables of daprd taken from Secrets of the pod's namespace: {@code NAME=secret} (key = secret name) or {@code NAME=secret:key}. */
  ENV_FROM_SECRET("env-from-secret", Kind.ENV_FROM_SECRET, null),
  GRACEFUL_SHUTDOWN_SECONDS("graceful-shutdown-seconds", Kind.SHUTDOWN_SECONDS, "-1"),
  BLOCK_SHUTDOWN_DURATION("block-shutdown-duration", Kind.DURATION, null),
  SIDECAR_IMAGE("sidecar-image", Kind.NON_EMPTY, null),
  /** Empty turns actors off (no {@code --placement-host-address}), as upstream; surrounding quotes are dropped, as upstream. */
  PLACEMENT_HOST_ADDRESS("placement-host-address", Kind.ADDRESSES, null),
  ENABLE_APP_HEALTH_CHECK("enable-app-health-check", Kind.BOOL, "false"),
  APP_HEALTH_CHECK_PATH("app-health-check-path", Kind.PATH, "/healthz"),
  APP_HEALTH_PROBE_INTERVAL("app-health-probe-interval", Kind.POSITIVE, "5"),
  APP_HEALTH_PROBE_TIMEOUT("app-health-probe-timeout", Kind.POSITIVE, "500"),
  APP_HEALTH_THRESHOLD("app-health-threshold", Kind.POSITIVE, "3"),
  ENABLE_NATIVE_SIDECAR("enable-native-sidecar", Kind.BOOL, null),
  ENABLE_API_LOGGING("enable-api-logging", Kind.BOOL, null),
  ENABLE_PROFILING("enable-profiling", Kind.BOOL, "false"),
  APP_MAX_CONCURRENCY("app-max-concurrency", Kind.POSITIVE, null),
  APP_CHANNEL_ADDRESS("app-channel-address", Kind.STRING, null),
  DISABLE_BUILTIN_K8S_SECRET_STORE("disable-builtin-k8s-secret-store", Kind.BOOL, "false"),
  MAX_BODY_SIZE("max-body-size", Kind.QUANTITY, null),
  READ_BUFFER_SIZE("read-buffer-size", Kind.QUANTITY, null),
  /** Deprecated upstream: {@code --dapr-http-max-request-size} in MB; {@code max-body-size} wins in daprd. */
  HTTP_MAX_REQUEST_SIZE("http-max-request-size", Kind.INTEGER, null),
  /** Deprecated upstream: {@code --dapr-http-read-buffer-size} in KB; {@code read-buffer-size} wins in daprd. */
  HTTP_READ_BUFFER_SIZE("http-read-buffer-size", Kind.INTEGER, null),
  /**
   * Where the app containers mount the socket directory; daprd itself always gets it at
   * {@link SidecarContainer#UNIX_DOMAIN_SOCKET_DAPRD_PATH}. Empty = no sockets, as upstream.
   */
  UNIX_DOMAIN_SOCKET_PATH("unix-domain-socket-path", Kind.MOUNT_PATH, null),
  /** Comma-separated audiences of the JWTs daprd asks sentry for (1.16). */
  SENTRY_REQUEST_JWT_AUDIENCES("sentry-request-jwt-audiences", Kind.AUDIENCES, null),
  /** How long daprd waits for a placement round before it resets its stream (1.18; daprd's default 30s, which must be positive). */
  ACTORS_DISSEMINATE_TIMEOUT("actors-disseminate-timeout", Kind.POSITIVE_DURATION, null),
  /** Verbatim but for surrounding quotes, as upstream: empty turns the scheduler off. */
  SCHEDULER_HOST_ADDRESS("scheduler-host-address", Kind.ADDRESSES, null),
  /** Init endpoints daprd does not call on the app: {@code config}, {@code subscribe} (1.17). */
  DISABLE_INIT_ENDPOINTS("disable-init-endpoints", Kind.INIT_ENDPOINTS, null),
  /**
   * Extra annotations of the pod's {@code <app-id>-dapr} Service (1.17), {@code key=value,…}: read by the operator, which
   * makes that Service; checked here, where a bad value can still be refused.
   */
  SIDECAR_SVC_ANNOTATIONS("sidecar-svc-annotations", Kind.SERVICE_ANNOTATIONS, null),
  /** Volumes of the pod mounted read-only into daprd: {@code volume:/path,…}. */
  VOLUME_MOUNTS("volume-mounts", Kind.VOLUME_MOUNTS, null),
  /** Volumes of the pod mounted read-write into daprd: {@code volume:/path,…}. */
  VOLUME_MOUNTS_RW("volume-mounts-rw", Kind.VOLUME_MOUNTS, null),
  /** daprd started under the Delve debugger, listening on {@code debug-port} (needs a debug build of the image). */
  ENABLE_DEBUG("enable-debug", Kind.BOOL, "false"),
  DEBUG_PORT("debug-port", Kind.PORT, "40000"),
  /** The pod's containers that are pluggable components: they get the components' socket folder, not the app's env. */
  PLUGGABLE_COMPONENTS("pluggable-components", Kind.CONTAINER_NAMES, null),
  /** Where daprd and the component containers share the components' sockets (upstream's default below). */
  PLUGGABLE_COMPONENTS_SOCKETS_FOLDER("pluggable-components-sockets-folder", Kind.ABSOLUTE_PATH, null),
  /**
   * Upstream adds the containers that Component resources describe in their {@code dapr.io/component-container}
   * annotation. This injector does not read Components, so "true" is refused rather than silently dropped.
   */
  INJECT_PLUGGABLE_COMPONENTS("inject-pluggable-components", Kind.UNSUPPORTED_TRUE, "false"),
  API_TOKEN_SECRET("api-token-secret", Kind.STRING, null),
  APP_TOKEN_SECRET("app-token-secret", Kind.STRING, null),
  SIDECAR_SECCOMP_PROFILE_TYPE("sidecar-seccomp-profile-type", Kind.SECCOMP, null),
  LIVENESS_PROBE_DELAY_SECONDS("sidecar-liveness-probe-delay-seconds", Kind.NON_NEGATIVE, "180"),
  LIVENESS_PROBE_TIMEOUT_SECONDS("sidecar-liveness-probe-timeout-seconds", Kind.POSITIVE, "3"),
  LIVENESS_PROBE_PERIOD_SECONDS("sidecar-liveness-probe-period-seconds", Kind.POSITIVE, "10"),
  LIVENESS_PROBE_THRESHOLD("sidecar-liveness-probe-threshold", Kind.POSITIVE, "5"),
  READINESS_PROBE_DELAY_SECONDS("sidecar-readiness-probe-delay-seconds", Kind.NON_NEGATIVE, "1"),
  READINESS_PROBE_TIMEOUT_SECONDS("sidecar-readiness-probe-timeout-seconds", Kind.POSITIVE, "1"),
  READINESS_PROBE_PERIOD_SECONDS("sidecar-readiness-probe-period-seconds", Kind.POSITIVE, "1"),
  READINESS_PROBE_THRESHOLD("sidecar-readiness-probe-threshold", Kind.POSITIVE, "5");

  public static final String PREFIX = "dapr.io/";

  private final String key;
  private final Kind kind;
  private final String defaultValue;

  Annotation(String name, Kind kind, String defaultValue) {
    this.key = PREFIX + name;
    this.kind = kind;
    this.defaultValue = defaultValue;
  }

  /** The full annotation key, e.g. {@code dapr.io/app-port}. */
  public String key() {
    return key;
  }

  public Kind kind() {
    return kind;
  }

  public String defaultValue() {
    return defaultValue;
  }

  /** How values are parsed; {@link #accepted} is what an error message offers instead of a bad value. */
  public enum Kind {
    BOOL("true or false (also y/yes/t/on/1 and n/no/f/off/0)"),
    PORT("a port number 1-65535"),
    POSITIVE("a whole number of at least 1"),
    NON_NEGATIVE("a whole number of at least 0"),
    /** Upstream's {@code strconv.ParseInt(v, 10, 64)}: any 64-bit whole number, sign allowed. */
    INTEGER("a whole number"),
    SHUTDOWN_SECONDS("a whole number of seconds, or -1 for daprd's default"),
    STRING("any text"),
    NON_EMPTY("a non-empty value"),
    PATH("a path starting with /"),
    /** A container mountPath; the API server refuses one with a {@code ..} element. Empty = not set. */
    MOUNT_PATH("a directory path without '..' elements"),
    APP_ID("lowercase letters, digits and '-', starting and ending with a letter or digit, at most 58 characters"),
    PROTOCOL("http, https, grpc, grpcs or h2c"),
    LOG_LEVEL("debug, info, warn, error or fatal"),
    QUANTITY("a Kubernetes quantity such as 100m, 0.5, 128Mi or 1G"),
    ENV("comma-separated NAME=value pairs, NAME a C identifier"),
    DURATION("a duration such as 30s, 1m or 1h30m"),
    POSITIVE_DURATION("a duration above zero such as 20s, 1m or 1h30m"),
    /** Upstream trims spaces and surrounding quotes; an empty value turns the service off. */
    ADDRESSES("host:port addresses, comma-separated, or \"\" to turn it off"),
    AUDIENCES("comma-separated audiences, none empty and none with spaces or quotes"),
    INIT_ENDPOINTS("config, subscribe or both, comma-separated"),
    SERVICE_ANNOTATIONS("comma-separated key=value pairs, each key an annotation name such as example.com/team"),
    ENV_FROM_SECRET("comma-separated NAME=secret or NAME=secret:key pairs, NAME a C identifier, secret a Secret's name"),
    VOLUME_MOUNTS("comma-separated volume:/mount/path pairs, volume one of the pod's volumes"),
    CONTAINER_NAMES("comma-separated names of the pod's containers"),
    ABSOLUTE_PATH("an absolute directory path without '..' elements"),
    UNSUPPORTED_TRUE("false: this injector does not read Components; add the component containers to the pod and name them in "
        + PREFIX + "pluggable-components"),
    SECCOMP("RuntimeDefault, Unconfined or Localhost");

    private final String accepted;

    Kind(String accepted) {
      this.accepted = accepted;
    }

    public String accepted() {
      return accepted;
    }
  }

  private static final Set<String> TRUTHY = Set.of("y", "yes", "true", "t", "on", "1");
  private static final Set<String> FALSY = Set.of("n", "no", "false", "f", "off", "0");
  private static final Set<String> PROTOCOLS = Set.of("http", "https", "grpc", "grpcs", "h2c");
  private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error", "fatal");
  private static final Set<String> SECCOMP_TYPES = Set.of("RuntimeDefault", "Unconfined", "Localhost");
  private static final Pattern QUANTITY_RE = Pattern.compile("^[+]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\\d+)?$");
  private static final Pattern APP_ID_RE = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern ENV_NAME_RE = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
  /**
   * What the injector sets on daprd, and what daprd reads as its identity and trust: a pod's {@code dapr.io/env} comes
   * later in daprd's env, and the last of two equal names wins, so one of these there would replace the trust anchors,
   * namespace or tokens the injector gave.
   */
  static final java.util.Set<String> RESERVED_ENV = java.util.Set.of("NAMESPACE", "POD_NAME", "DAPR_TRUST_ANCHORS",
      "DAPR_CONTROLPLANE_NAMESPACE", "DAPR_CONTROLPLANE_TRUST_DOMAIN", "DAPR_ENV_KEYS", "DAPR_API_TOKEN", "APP_API_TOKEN",
      "DAPR_CERT_CHAIN", "DAPR_CERT_KEY", "SENTRY_LOCAL_IDENTITY", "DAPR_HOST_IP", "DAPR_COMPONENT_SOCKETS_FOLDER");
  private static final Pattern DURATION_RE = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$");
  /** An app id becomes the Service {@code <app-id>-dapr}, whose name is a DNS label of at most 63 characters. */
  public static final int MAX_APP_ID_LENGTH = 58;

  /** Upstream's truthiness ({@code kit/strings.IsTruthy}): what makes {@code dapr.io/enabled} inject. */
  public static boolean truthy(String value) {
    return value != null && TRUTHY.contains(value.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * The value of this annotation as its kind reads it: Boolean, Integer, Long ({@link Kind#INTEGER}) or String (trimmed).
   *
   * @throws IllegalArgumentException naming the annotation, the bad value and the accepted values
   */
  Object parse(String raw) {
    String v = raw.trim();
    Object parsed = switch (kind) {
      case BOOL -> {
        String l = v.toLowerCase(Locale.ROOT);
        yield TRUTHY.contains(l) ? Boolean.TRUE : FALSY.contains(l) || l.isEmpty() ? Boolean.FALSE : null;
      }
      case PORT -> integer(v, 1, 65535);
      case POSITIVE -> integer(v, 1, Integer.MAX_VALUE);
      case NON_NEGATIVE -> integer(v, 0, Integer.MAX_VALUE);
      case INTEGER -> wholeNumber(v);
      case SHUTDOWN_SECONDS -> integer(v, -1, Integer.MAX_VALUE);
      case STRING -> v;
      case NON_EMPTY -> v.isEmpty() ? null : v;
      case PATH -> v.startsWith("/") ? v : null;
      case MOUNT_PATH -> validMountPath(v) ? v : null;
      case APP_ID -> validAppId(v) ? v : null;
      case PROTOCOL -> PROTOCOLS.contains(v.toLowerCase(Locale.ROOT)) ? v.toLowerCase(Locale.ROOT) : null;
      case LOG_LEVEL -> LOG_LEVELS.contains(v.toLowerCase(Locale.ROOT)) ? v.toLowerCase(Locale.ROOT) : null;
      case QUANTITY -> QUANTITY_RE.matcher(v).matches() ? v : null;
      case ENV -> env(v);
      case DURATION -> DURATION_RE.matcher(v).matches() ? v : null;
      case POSITIVE_DURATION -> DURATION_RE.matcher(v).matches() && positive(v) ? v : null;
      case ADDRESSES -> unquote(v);
      case AUDIENCES -> ListValues.audiences(v) ? v : null;
      case INIT_ENDPOINTS -> ListValues.initEndpoints(v);
      case SERVICE_ANNOTATIONS -> serviceAnnotations(v);
      case ENV_FROM_SECRET -> envFromSecret(v);
      case VOLUME_MOUNTS -> ListValues.mounts(v, true) != null ? v : null;
      case CONTAINER_NAMES -> ListValues.containerNames(v) != null ? v : null;
      case ABSOLUTE_PATH -> v.startsWith("/") && validMountPath(v) ? v : null;
      case UNSUPPORTED_TRUE -> TRUTHY.contains(v.toLowerCase(Locale.ROOT)) || !(FALSY.contains(v.toLowerCase(Locale.ROOT)) || v.isEmpty())
          ? null : Boolean.FALSE;
      case SECCOMP -> SECCOMP_TYPES.contains(v) ? v : null;
    };
    if (parsed == null) {
      throw new IllegalArgumentException(invalid(raw));
    }
    return parsed;
  }

  /** The message for a bad value: which annotation, what was given, what is accepted. */
  String invalid(String raw) {
    return "annotation " + key + " has an invalid value \"" + raw + "\": use " + kind.accepted;
  }

  /** Whether any number of a duration is above zero ({@code 0s}, {@code 0m0.0s} are not: daprd refuses them). */
  private static boolean positive(String duration) {
    java.util.regex.Matcher m = Pattern.compile("[0-9]+(\\.[0-9]+)?").matcher(duration);
    while (m.find()) {
      if (Double.parseDouble(m.group()) > 0) {
        return true;
      }
    }
    return false;
  }

  /** Upstream trims spaces and the quotes around the placement and scheduler addresses ({@code ""} in YAML is a common way to write empty). */
  private static String unquote(String v) {
    String t = v;
    while (!t.isEmpty() && (t.charAt(0) == '"' || t.charAt(0) == '\'')) {
      t = t.substring(1);
    }
    while (!t.isEmpty() && (t.charAt(t.length() - 1) == '"' || t.charAt(t.length() - 1) == '\'')) {
      t = t.substring(0, t.length() - 1);
    }
    return t.trim();
  }

  /** The Service annotations when usable; the operator owns {@code dapr.io/app-id} and the Prometheus ones. */
  private String serviceAnnotations(String v) {
    Map<String, String> pairs = ListValues.serviceAnnotations(v);
    if (pairs == null) {
      return null;
    }
    for (String k : pairs.keySet()) {
      if (ListValues.OPERATOR_SERVICE_ANNOTATIONS.contains(k)) {
        throw new IllegalArgumentException("annotation " + key + " may not set " + k + ": the operator sets it on the Service;"
            + " remove it (reserved: " + String.join(", ", new java.util.TreeSet<>(ListValues.OPERATOR_SERVICE_ANNOTATIONS)) + ")");
      }
    }
    return v;
  }

  /** As {@link #env}: messages name variables and Secrets, never values. */
  private String envFromSecret(String v) {
    List<ListValues.SecretEnv> refs = ListValues.secretEnv(v);
    if (refs == null) {
      return null;
    }
    for (ListValues.SecretEnv r : refs) {
      if (RESERVED_ENV.contains(r.name())) {
        throw new IllegalArgumentException("annotation " + key + " may not set " + r.name() + ": the injector sets it for daprd;"
            + " remove it (reserved: " + String.join(", ", new java.util.TreeSet<>(RESERVED_ENV)) + ")");
      }
    }
    return v;
  }

  static boolean validAppId(String v) {
    return v.length() <= MAX_APP_ID_LENGTH && APP_ID_RE.matcher(v).matches();
  }

  private static Integer integer(String v, int min, int max) {
    try {
      int n = Integer.parseInt(v);
      return n >= min && n <= max ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long wholeNumber(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean validMountPath(String v) {
    for (String element : v.split("[/\\\\]")) {
      if (element.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** The env annotation's value when usable; its messages name variables, never values (they may be secrets). */
  private String env(String v) {
    if (v.isEmpty()) {
      return v;
    }
    for (Map.Entry<String, String> e : EnvAnnotation.parse(v).entrySet()) {
      if (e.getValue() == null || !ENV_NAME_RE.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("annotation " + key + " has an invalid entry: use " + kind.accepted);
      }
      if (RESERVED_ENV.contains(e.getKey())) {
        throw new IllegalArgumentException("annotation " + key + " may not set " + e.getKey() + ": the injector sets it for daprd;"
            + " remove it (reserved: " + String.join(", ", new java.util.TreeSet<>(RESERVED_ENV)) + ")");
      }
    }
    return v;
  }
}
