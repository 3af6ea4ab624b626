package io.daprx.injector.webhook;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may have pods injected: the built-in Kubernetes controllers that create pods, anyone in {@code system:masters},
 * and service accounts matching the configured {@code namespace:name} globs ({@code *} any run of characters,
 * {@code ?} one character). Upstream's prefix form ({@code ns*:sa*}) is a glob of this kind.
 */
public final class Requesters {

  /** The controllers that create pods for workloads (WIRE.md; upstream's list). */
  public static final List<String> BUILT_IN = List.of(
      "kube-system:replicaset-controller",
      "kube-system:replication-controller",
      "kube-system:deployment-controller",
      "kube-system:cronjob-controller",
      "kube-system:job-controller",
      "kube-system:statefulset-controller",
      "kube-system:daemon-set-controller");
  public static final String MASTERS_GROUP = "system:masters";
  private static final String SA_PREFIX = "system:serviceaccount:";

  private final Set<String> exact = new HashSet<>();
  private final List<Pattern> globs = new ArrayList<>();

  private Requesters(List<String> allowed) {
    for (String a : BUILT_IN) {
      exact.add(a);
    }
    for (String raw : allowed) {
      String g = raw.trim();
      if (g.isEmpty()) {
        continue;
      }
      int colon = g.indexOf(':');
      if (colon <= 0 || colon == g.length() - 1 || g.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException("invalid allowed service account '" + g
            + "': use namespace:name, with * and ? as wildcards, e.g. ci:tekton-* or *:pod-creator");
      }
      if (g.indexOf('*') < 0 && g.indexOf('?') < 0) {
        exact.add(g);
      } else {
        globs.add(glob(g));
      }
    }
  }

  /** @param allowed extra {@code namespace:name} globs (the {@code --allowed-service-accounts} flag) */
  public static Requesters of(List<String> allowed) {
    return new Requesters(allowed);
  }

  /** Parses a comma-separated flag value. */
  public static List<String> parseList(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String s : text.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  public boolean allowed(String username, Iterable<String> groups) {
    for (String g : groups) {
      if (MASTERS_GROUP.equals(g)) {
        return true;
      }
    }
    if (username == null || !username.startsWith(SA_PREFIX)) {
      return false;
    }
    String sa = username.substring(SA_PREFIX.length());
    if (exact.contains(sa)) {
      return true;
    }
    for (Pattern p : globs) {
      if (p.matcher(sa).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (char ch : g.toCharArray()) {
      switch (ch) {
        case '*' -> re.append("[^:]*");
        case '?' -> re.append("[^:]");
        default -> re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
