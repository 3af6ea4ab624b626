package io.daprx.injector.patch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The annotations whose values are lists ({@code a,b}, {@code k=v,…}, {@code volume:/path,…}), split as upstream's
 * injector splits them and checked against what Kubernetes and daprd accept. Each parser returns null for a value it
 * cannot use; {@link Annotation#parse} turns that into the message naming the annotation.
 */
final class ListValues {

  /** The annotations the operator writes on an {@code <app-id>-dapr} Service itself (upstream ignores them when asked). */
  static final Set<String> OPERATOR_SERVICE_ANNOTATIONS = Set.of("dapr.io/app-id", "prometheus.io/probe", "prometheus.io/scrape",
      "prometheus.io/port", "prometheus.io/path");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
  private static final Pattern SECRET_KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");
  private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
  private static final Set<String> INIT_ENDPOINTS = Set.of("config", "subscribe");

  /** A volume of the pod mounted into daprd. */
  record Mount(String volume, String path, boolean readOnly) {}

  /** A variable of daprd read from a key of a Secret. */
  record SecretEnv(String name, String secret, String key) {}

  private ListValues() {}

  /** The non-empty, trimmed items of a comma-separated value. */
  static List<String> items(String v) {
    List<String> out = new ArrayList<>();
    for (String part : v.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  /** daprd reads the flag as CSV: an empty item, a space or a quote in one would not reach sentry as written. */
  static boolean audiences(String v) {
    if (v.isEmpty()) {
      return true;
    }
    for (String part : v.split(",", -1)) {
      if (part.isEmpty() || part.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')) {
        return false;
      }
    }
    return true;
  }

  /** Upstream's daprd: each item trimmed and lower-cased, empty ones skipped; anything but config and subscribe is an error. */
  static String initEndpoints(String v) {
    for (String item : items(v)) {
      if (!INIT_ENDPOINTS.contains(item.toLowerCase(Locale.ROOT))) {
        return null;
      }
    }
    return v;
  }

  /** {@code key=value,…}; every pair needs an {@code =} and a key Kubernetes takes as an annotation name. */
  static Map<String, String> serviceAnnotations(String v) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : items(v)) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || !annotationKey(pair.substring(0, eq).trim())) {
        return null;
      }
      out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return out;
  }

  /** A Kubernetes annotation key: an optional DNS-subdomain prefix and {@code /}, then a name of at most 63 characters. */
  static boolean annotationKey(String k) {
    int slash = k.lastIndexOf('/');
    String name = slash < 0 ? k : k.substring(slash + 1);
    if (slash >= 0) {
      String prefix = k.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return !name.isEmpty() && name.length() <= 63 && QUALIFIED_NAME.matcher(name).matches();
  }

  /**
   * {@code NAME=secret} or {@code NAME=secret:key} pairs, split as {@code dapr.io/env} is (a comma starts a pair only when
   * {@code NAME=} follows); without a key the Secret's name is the key too, as upstream.
   */
  static List<SecretEnv> secretEnv(String v) {
    List<SecretEnv> out = new ArrayList<>();
    if (v.isEmpty()) {
      return out;
    }
    for (Map.Entry<String, String> e : EnvAnnotation.parse(v).entrySet()) {
      String ref = e.getValue();
      if (ref == null || !ENV_NAME.matcher(e.getKey()).matches()) {
        return null;
      }
      String[] parts = ref.split(":", -1);
      if (parts.length > 2) {
        return null;
      }
      String secret = parts[0].trim();
      String key = parts.length == 2 ? parts[1].trim() : secret;
      if (secret.length() > 253 || !DNS_SUBDOMAIN.matcher(secret).matches() || key.length() > 253 || !SECRET_KEY.matcher(key).matches()) {
        return null;
      }
      out.add(new SecretEnv(e.getKey(), secret, key));
    }
    return out;
  }

  /** {@code volume:/path,…}: a volume name (a DNS label) and an absolute path without {@code ..}, each at most once. */
  static List<Mount> mounts(String v, boolean readOnly) {
    List<Mount> out = new ArrayList<>();
    Set<String> paths = new LinkedHashSet<>();
    for (String item : items(v)) {
      String[] parts = item.split(":", -1);
      if (parts.length != 2) {
        return null;
      }
      String volume = parts[0].trim();
      String path = parts[1].trim();
      if (volume.length() > 63 || !DNS_LABEL.matcher(volume).matches() || !path.startsWith("/") || path.contains("/../")
          || path.endsWith("/..") || !paths.add(path)) {
        return null;
      }
      out.add(new Mount(volume, path, readOnly));
    }
    return out;
  }

  /** Container names (DNS labels), comma-separated. */
  static List<String> containerNames(String v) {
    List<String> out = items(v);
    for (String name : out) {
      if (name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
        return null;
      }
    }
    return out;
  }
}
