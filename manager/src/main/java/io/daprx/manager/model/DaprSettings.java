package io.daprx.manager.model;

import io.daprx.common.runtime.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration settings of a {@code Microsoft.Dapr} extension, typed, each with its default. Parsing
 * collects every problem at once, so a user fixes a command line in one go; unknown keys are errors that
 * list the known ones (a silent no-op would leave users believing a setting took effect). Parsed once where settings
 * enter (the API, the CLI's render) or leave the store; {@link #source} keeps the text they were parsed from, which is
 * what is stored and sealed.
 */
public record DaprSettings(
    boolean haEnabled,
    int haReplicaCount,
    Map<String, Integer> componentReplicas,
    String logLevel,
    boolean logAsJson,
    boolean mtlsEnabled,
    Duration workloadCertTtl,
    Duration allowedClockSkew,
    Map<String, String> nodeSelector,
    String registry,
    String tag,
    boolean placementForceInMemoryLog,
    Duration placementCoalesceWindow,
    Scheduler scheduler,
    Boolean applyCrds,
    boolean skipExistingDaprCheck,
    String existingDaprReleaseName,
    String existingDaprReleaseNamespace,
    SentryJwt sentryJwt,
    Map<String, Resources> resources,
    Map<String, String> source) {

  public DaprSettings {
    resources = Map.copyOf(resources);
    source = java.util.Collections.unmodifiableMap(new TreeMap<>(source));
  }

  /**
   * A component's container resources on Kubernetes, with upstream's chart names ({@code <component>.resources.requests.cpu},
   * {@code .requests.memory}, {@code .limits.cpu}, {@code .limits.memory}); each null where not set (the component's
   * measured default then, {@code Component.memoryRequest/memoryLimit}). Quantities as Kubernetes writes them.
   */
  public record Resources(String requestsCpu, String requestsMemory, String limitsCpu, String limitsMemory) {
    static final Resources NONE = new Resources(null, null, null, null);
  }

  /** The resources set for a component's settings key ({@code dapr_operator}, ...): none set when absent. */
  public Resources resources(String settingsKey) {
    return resources.getOrDefault(settingsKey, Resources.NONE);
  }

  /**
   * The scheduler's settings, with upstream's chart names.
   *
   * @param enabled {@code global.scheduler.enabled}: installed at all (and sidecars pointed at it)
   * @param inMemoryStorage {@code dapr_scheduler.cluster.inMemoryStorage}: jobs kept in memory, lost when all replicas stop
   * @param storageSize {@code dapr_scheduler.cluster.storageSize}: each replica's volume claim on Kubernetes
   * @param storageClassName {@code dapr_scheduler.cluster.storageClassName}: null = the cluster's default class
   * @param logLevel {@code dapr_scheduler.logLevel}, else {@code global.logLevel}
   */
  public record Scheduler(boolean enabled, boolean inMemoryStorage, String storageSize, String storageClassName, String logLevel) {}

  /**
   * Sentry's JWT SVIDs and OIDC discovery, with upstream's chart names ({@code dapr_sentry.jwt.*}, {@code dapr_sentry.oidc.*}).
   *
   * @param enabled {@code dapr_sentry.jwt.enabled}: sidecars asking for JWTs get them (with their certificate)
   * @param issuer {@code dapr_sentry.jwt.issuer}: the tokens' {@code iss}; null: none (as upstream)
   * @param signingAlgorithm {@code dapr_sentry.jwt.signingAlgorithm}; null: sentry's default (RS256)
   * @param keyId {@code dapr_sentry.jwt.keyID}; null: the key's thumbprint
   * @param oidcEnabled {@code dapr_sentry.oidc.enabled}: serve the discovery document and JWKS to relying parties
   * @param oidcPort {@code dapr_sentry.oidc.server.port} (Kubernetes; each local sentry replica has a port of its own)
   * @param oidcAllowedHosts {@code dapr_sentry.oidc.allowedHosts}, comma-separated; empty: any
   * @param oidcTlsEnabled {@code dapr_sentry.oidc.tls.enabled}, with {@code certFile} and {@code keyFile}: files sentry can read
   */
  public record SentryJwt(boolean enabled, String issuer, String signingAlgorithm, String keyId, boolean oidcEnabled, int oidcPort,
      String oidcJwksUri, String oidcPathPrefix, List<String> oidcAllowedHosts, boolean oidcTlsEnabled, String oidcTlsCertFile,
      String oidcTlsKeyFile) {}

  /** Components whose replica count may be set on its own ({@code <component>.replicaCount}). */
  public static final List<String> COMPONENTS = List.of("dapr_operator", "dapr_sentry", "dapr_sidecar_injector", "dapr_placement", "dapr_dashboard");

  /** Components whose container resources may be set ({@code <component>.resources.requests.memory}, ...), as upstream's chart. */
  public static final List<String> RESOURCE_COMPONENTS = List.of("dapr_operator", "dapr_sentry", "dapr_sidecar_injector", "dapr_placement",
      "dapr_scheduler", "dapr_dashboard");

  /** The four resource settings of a component, after its key: upstream's chart value names. */
  private static final List<String> RESOURCE_KEYS = List.of(".resources.requests.cpu", ".resources.requests.memory",
      ".resources.limits.cpu", ".resources.limits.memory");

  /**
   * Placement's {@code --disseminate-coalesce-window} (Dapr 1.18, upstream's chart value of the same name): after a
   * table update, how long placement collects further joins and leaves before one update carries them all.
   */
  public static final String PLACEMENT_COALESCE_WINDOW = "dapr_placement.disseminateCoalesceWindow";

  /** Every known key with its default (as text), in the order users read them. */
  public static final Map<String, String> KNOWN;

  static {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("global.ha.enabled", "true");
    k.put("global.ha.replicaCount", "3");
    for (String c : COMPONENTS) {
      k.put(c + ".replicaCount", "1");
    }
    k.put("global.logLevel", "info");
    k.put("global.logAsJson", "false");
    k.put("global.mtls.enabled", "true");
    k.put("global.mtls.workloadCertTTL", io.daprx.sentry.SentryFlags.DEFAULT_WORKLOAD_CERT_TTL);
    k.put("global.mtls.allowedClockSkew", io.daprx.sentry.SentryFlags.DEFAULT_ALLOWED_CLOCK_SKEW);
    k.put("global.nodeSelector.<key>", "");
    k.put("global.registry", "ghcr.io/daprx");
    k.put("global.tag", "");
    k.put("dapr_placement.cluster.forceInMemoryLog", "false");
    k.put(PLACEMENT_COALESCE_WINDOW, "0s");
    k.put("global.scheduler.enabled", "true");
    k.put("dapr_scheduler.cluster.inMemoryStorage", "false");
    k.put("dapr_scheduler.cluster.storageSize", "16Gi");
    k.put("dapr_scheduler.cluster.storageClassName", "");
    k.put("dapr_scheduler.logLevel", "");
    k.put("dapr_sentry.jwt.enabled", "false");
    k.put("dapr_sentry.jwt.issuer", "");
    k.put("dapr_sentry.jwt.signingAlgorithm", "");
    k.put("dapr_sentry.jwt.keyID", "");
    k.put("dapr_sentry.oidc.enabled", "false");
    k.put("dapr_sentry.oidc.server.port", "" + io.daprx.sentry.SentryFlags.DEFAULT_OIDC_PORT);
    k.put("dapr_sentry.oidc.jwksURI", "");
    k.put("dapr_sentry.oidc.pathPrefix", "");
    k.put("dapr_sentry.oidc.allowedHosts", "");
    k.put("dapr_sentry.oidc.tls.enabled", "true");
    k.put("dapr_sentry.oidc.tls.certFile", "");
    k.put("dapr_sentry.oidc.tls.keyFile", "");
    for (String c : RESOURCE_COMPONENTS) {
      for (String r : RESOURCE_KEYS) {
        k.put(c + r, "");
      }
    }
    k.put("hooks.applyCrds", "");
    k.put("skipExistingDaprCheck", "false");
    k.put("existingDaprReleaseName", "");
    k.put("existingDaprReleaseNamespace", "");
    KNOWN = java.util.Collections.unmodifiableMap(k);
  }

  private static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error");
  /** A Kubernetes quantity as a storage size is written: a number with an optional binary or decimal suffix. */
  private static final java.util.regex.Pattern STORAGE_SIZE = java.util.regex.Pattern.compile("([0-9]+(\\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");
  /** A DNS-1123 subdomain, as Kubernetes requires of a StorageClass name. */
  /** A Kubernetes quantity (resource.Quantity's text form): a decimal number with an optional suffix or exponent. */
  private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern.compile(
      "\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?");
  /** Below this a JVM control-plane process does not start (heap, metaspace and thread stacks): refused, not left to OOM. */
  private static final long MIN_MEMORY_LIMIT = 64L << 20;
  private static final java.util.regex.Pattern SUBDOMAIN = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /**
   * Settings that shape the placement StatefulSet, the scheduler's volume claims or the replica layout: they cannot change
   * after create (a StatefulSet's {@code volumeClaimTemplates} are immutable). Turning the scheduler on or off can, and so
   * can placement's coalesce window: it is only a flag of placement's pods, which roll to take a new value.
   */
  public static boolean immutable(String key) {
    return key.startsWith("global.ha.") || key.startsWith("dapr_placement.") && !key.equals(PLACEMENT_COALESCE_WINDOW)
        || key.startsWith("dapr_scheduler.cluster.");
  }

  public static DaprSettings defaults() {
    return parse(Map.of());
  }

  /**
   * The {@code daprd} image the injector adds to pods: from {@code global.registry}, tagged with the Dapr version of the
   * catalog release being installed, so a sidecar always matches the control plane that serves it.
   */
  public String sidecarImage(String daprVersion) {
    return registry + "/daprd:" + daprVersion;
  }

  /** Parses and checks settings; throws {@link InvalidSettingsException} listing every problem. */
  public static DaprSettings parse(Map<String, String> raw) {
    List<String> problems = new ArrayList<>();
    Map<String, String> s = new TreeMap<>(raw);
    Set<String> unknown = new TreeSet<>();
    for (String key : s.keySet()) {
      if (!KNOWN.containsKey(key) && !key.startsWith("global.nodeSelector.")) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      problems.add("unknown configuration setting" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
          + "; known settings: " + String.join(", ", KNOWN.keySet()));
    }
    boolean ha = bool(s, "global.ha.enabled", problems);
    int haReplicas = count(s, "global.ha.replicaCount", 1, 7, problems);
    Map<String, Integer> replicas = new LinkedHashMap<>();
    for (String c : COMPONENTS) {
      replicas.put(c, count(s, c + ".replicaCount", 1, 7, problems));
    }
    String logLevel = value(s, "global.logLevel").toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(logLevel)) {
      problems.add("global.logLevel must be one of debug, info, warn, error (got '" + logLevel + "')");
    }
    Duration ttl = duration(s, "global.mtls.workloadCertTTL", problems);
    Duration skew = duration(s, "global.mtls.allowedClockSkew", problems);
    if (ttl != null && ttl.compareTo(Duration.ofMinutes(1)) < 0) {
      problems.add("global.mtls.workloadCertTTL must be at least 1m (got " + value(s, "global.mtls.workloadCertTTL") + ")");
    }
    Map<String, String> nodeSelector = new TreeMap<>();
    s.forEach((k, v) -> {
      if (k.startsWith("global.nodeSelector.")) {
        nodeSelector.put(k.substring("global.nodeSelector.".length()), v);
      }
    });
    String applyCrdsText = s.get("hooks.applyCrds");
    Boolean applyCrds = applyCrdsText == null || applyCrdsText.isEmpty() ? null : bool(s, "hooks.applyCrds", problems);
    boolean skipCheck = bool(s, "skipExistingDaprCheck", problems);
    boolean forceInMemory = bool(s, "dapr_placement.cluster.forceInMemoryLog", problems);
    Duration coalesceWindow = duration(s, PLACEMENT_COALESCE_WINDOW, problems);
    Scheduler scheduler = scheduler(s, logLevel, problems);
    SentryJwt sentryJwt = sentryJwt(s, problems);
    Map<String, Resources> resources = new LinkedHashMap<>();
    for (String c : RESOURCE_COMPONENTS) {
      resources.put(c, resources(s, c, problems));
    }
    boolean logAsJson = bool(s, "global.logAsJson", problems);
    boolean mtls = bool(s, "global.mtls.enabled", problems);
    String existingName = emptyToNull(s.get("existingDaprReleaseName"));
    String existingNs = emptyToNull(s.get("existingDaprReleaseNamespace"));
    if ((existingName == null) != (existingNs == null)) {
      problems.add("existingDaprReleaseName and existingDaprReleaseNamespace go together: set both to adopt an existing Dapr install");
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    return new DaprSettings(ha, haReplicas, replicas, logLevel, logAsJson, mtls, ttl, skew, nodeSelector,
        value(s, "global.registry"), emptyToNull(s.get("global.tag")), forceInMemory, coalesceWindow, scheduler, applyCrds, skipCheck, existingName, existingNs, sentryJwt, resources, s);
  }

  private static boolean absoluteUrl(String s) {
    try {
      java.net.URI u = new java.net.URI(s);
      return u.isAbsolute() && u.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static SentryJwt sentryJwt(Map<String, String> s, List<String> problems) {
    boolean enabled = bool(s, "dapr_sentry.jwt.enabled", problems);
    String issuer = emptyToNull(s.get("dapr_sentry.jwt.issuer"));
    String alg = emptyToNull(s.get("dapr_sentry.jwt.signingAlgorithm"));
    if (issuer != null && !enabled) {
      problems.add("dapr_sentry.jwt.issuer is set but dapr_sentry.jwt.enabled is false: set dapr_sentry.jwt.enabled=true, or drop the issuer");
    }
    if (alg != null && !io.daprx.sentry.SentryFlags.JWT_SIGNING_ALGORITHMS.contains(alg.toUpperCase(Locale.ROOT))) {
      problems.add("dapr_sentry.jwt.signingAlgorithm '" + alg + "' is not supported: use one of "
          + io.daprx.sentry.SentryFlags.JWT_SIGNING_ALGORITHMS);
    } else if (alg != null) {
      alg = alg.toUpperCase(Locale.ROOT);
    }
    boolean oidc = bool(s, "dapr_sentry.oidc.enabled", problems);
    if (oidc && !enabled) {
      problems.add("dapr_sentry.oidc.enabled publishes the keys of sentry's JWTs: set dapr_sentry.jwt.enabled=true too");
    }
    int port = count(s, "dapr_sentry.oidc.server.port", 1, 65535, problems);
    boolean tls = bool(s, "dapr_sentry.oidc.tls.enabled", problems);
    String cert = emptyToNull(s.get("dapr_sentry.oidc.tls.certFile"));
    String key = emptyToNull(s.get("dapr_sentry.oidc.tls.keyFile"));
    if (oidc && tls && (cert == null || key == null)) {
      problems.add("dapr_sentry.oidc.tls.certFile and dapr_sentry.oidc.tls.keyFile (PEM files sentry can read) are required while"
          + " dapr_sentry.oidc.tls.enabled is true; set it to false to serve plain HTTP behind an ingress that terminates TLS");
    }
    String jwksUri = emptyToNull(s.get("dapr_sentry.oidc.jwksURI"));
    String prefix = emptyToNull(s.get("dapr_sentry.oidc.pathPrefix"));
    if (jwksUri != null && !absoluteUrl(jwksUri)) {
      problems.add("dapr_sentry.oidc.jwksURI must be an absolute URL such as https://oidc.example.com/jwks.json (got '" + jwksUri + "')");
    }
    if (prefix != null && !prefix.matches("/?[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")) {
      problems.add("dapr_sentry.oidc.pathPrefix must be a URL path such as /oidc (got '" + prefix + "')");
    }
    List<String> hosts = java.util.Arrays.stream(value(s, "dapr_sentry.oidc.allowedHosts").split(","))
        .map(String::trim).filter(h -> !h.isEmpty()).toList();
    return new SentryJwt(enabled, issuer, alg, emptyToNull(s.get("dapr_sentry.jwt.keyID")), oidc, port, jwksUri, prefix, hosts, tls, cert, key);
  }

  private static Resources resources(Map<String, String> s, String component, List<String> problems) {
    String reqCpu = quantity(s, component + ".resources.requests.cpu", "100m or 0.5", problems);
    String reqMem = quantity(s, component + ".resources.requests.memory", "128Mi or 1Gi", problems);
    String limCpu = quantity(s, component + ".resources.limits.cpu", "100m or 0.5", problems);
    String limMem = quantity(s, component + ".resources.limits.memory", "256Mi or 1Gi", problems);
    Long limBytes = limMem == null ? null : bytes(limMem);
    if (limBytes != null && limBytes < MIN_MEMORY_LIMIT) {
      problems.add(component + ".resources.limits.memory must be at least 64Mi: a JVM control-plane process needs that much"
          + " besides its heap (got '" + limMem + "')");
    }
    if (limBytes != null && reqMem != null && bytes(reqMem) > limBytes) {
      problems.add(component + ".resources.requests.memory (" + reqMem + ") is above " + component + ".resources.limits.memory ("
          + limMem + "): Kubernetes refuses such a pod; lower the request or raise the limit");
    }
    return new Resources(reqCpu, reqMem, limCpu, limMem);
  }

  private static String quantity(Map<String, String> s, String key, String example, List<String> problems) {
    String v = emptyToNull(s.get(key));
    if (v == null) {
      return null;
    }
    if (!QUANTITY.matcher(v).matches() || new java.math.BigDecimal(bytesText(v)).signum() <= 0) {
      problems.add(key + " must be a positive Kubernetes quantity such as " + example + " (got '" + v + "')");
      return null;
    }
    return v;
  }

  /** The amount of a valid quantity in its base unit (bytes for memory), as a decimal. */
  private static String bytesText(String quantity) {
    return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity)).toPlainString();
  }

  /** Bytes of a valid memory quantity, rounded down. */
  public static long bytes(String quantity) {
    return new java.math.BigDecimal(bytesText(quantity)).longValue();
  }

  private static Scheduler scheduler(Map<String, String> s, String globalLogLevel, List<String> problems) {
    boolean enabled = bool(s, "global.scheduler.enabled", problems);
    boolean inMemory = bool(s, "dapr_scheduler.cluster.inMemoryStorage", problems);
    String size = value(s, "dapr_scheduler.cluster.storageSize");
    java.util.regex.Matcher m = STORAGE_SIZE.matcher(size);
    if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
      problems.add("dapr_scheduler.cluster.storageSize must be a positive Kubernetes quantity such as 16Gi or 500Mi (got '" + size + "')");
    }
    String storageClass = emptyToNull(s.get("dapr_scheduler.cluster.storageClassName"));
    if (storageClass != null && (storageClass.length() > 253 || !SUBDOMAIN.matcher(storageClass).matches())) {
      problems.add("dapr_scheduler.cluster.storageClassName must be a StorageClass name: lowercase letters, digits, '-' and '.'"
          + " (got '" + storageClass + "'); leave it empty for the cluster's default class");
    }
    String logLevel = emptyToNull(s.get("dapr_scheduler.logLevel"));
    if (logLevel == null) {
      logLevel = globalLogLevel;
    } else if (!LOG_LEVELS.contains(logLevel.toLowerCase(Locale.ROOT))) {
      problems.add("dapr_scheduler.logLevel must be one of debug, info, warn, error (got '" + logLevel + "'); leave it empty to follow global.logLevel");
    }
    return new Scheduler(enabled, inMemory, size, storageClass, logLevel.toLowerCase(Locale.ROOT));
  }

  /** Keys whose value differs between two raw settings maps and may not change; empty when the update is allowed. */
  public static List<String> immutableChanges(Map<String, String> before, Map<String, String> after) {
    Set<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    List<String> changed = new ArrayList<>();
    for (String k : keys) {
      if (immutable(k) && !java.util.Objects.equals(effective(before, k), effective(after, k))) {
        changed.add(k);
      }
    }
    return changed;
  }

  private static String effective(Map<String, String> m, String key) {
    String v = m.get(key);
    return v != null ? v : KNOWN.get(key);
  }

  private static String value(Map<String, String> s, String key) {
    String v = s.get(key);
    return v != null ? v.trim() : KNOWN.get(key);
  }

  private static String emptyToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean bool(Map<String, String> s, String key, List<String> problems) {
    String v = value(s, key).toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> {
        problems.add(key + " must be true or false (got '" + v + "')");
        yield false;
      }
    };
  }

  private static int count(Map<String, String> s, String key, int min, int max, List<String> problems) {
    String v = value(s, key);
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        problems.add(key + " must be between " + min + " and " + max + " (got " + n + ")");
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(key + " must be a whole number (got '" + v + "')");
      return min;
    }
  }

  private static Duration duration(Map<String, String> s, String key, List<String> problems) {
    try {
      return GoDuration.parse(value(s, key));
    } catch (IllegalArgumentException e) {
      problems.add(key + ": " + e.getMessage());
      return null;
    }
  }
}
