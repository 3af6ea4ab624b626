package io.daprx.manager.local;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One replica ("pod") of a local cluster: how to launch it, where its output goes and how to tell it is ready.
 * Build it with {@link #of}, which computes {@link #specHash()}; the supervisor replaces a pod when its hash changes.
 *
 * @param name the pod name, unique in its group, e.g. {@code dapr-sentry-7c9d4-x2kq1}
 * @param component the component the pod runs, e.g. {@code sentry}; replacements roll one at a time per component
 * @param command the full argv, executable first
 * @param env variables added to (or overriding) the supervisor's own environment
 * @param logFile where stdout and stderr are appended, across restarts
 * @param readiness an http URL answering 2xx when the pod is ready; null means ready while the process is alive
 * @param specHash a hash of everything that needs a new process when it changes (all fields but the name)
 * @param version the daprx version the pod runs, shown with it; null in records written before versions existed
 * @param ordinal which replica of its workload the pod is (its ports come with it), so a new pod template can replace
 *     the old replicas one at a time; null when not known (records written before)
 */
public record ProcessSpec(
    String name,
    String component,
    List<String> command,
    Map<String, String> env,
    Path logFile,
    URI readiness,
    String specHash,
    String version,
    Integer ordinal) {

  public ProcessSpec {
    requireText(name, "name");
    requireText(component, "component");
    Objects.requireNonNull(command, "command");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command of pod " + name + " is empty");
    }
    command = List.copyOf(command);
    // sorted so that the stored JSON and the hash do not depend on the caller's map order
    env = env == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(env));
    Objects.requireNonNull(logFile, "logFile");
    if (readiness != null && !("http".equalsIgnoreCase(readiness.getScheme())
        || "https".equalsIgnoreCase(readiness.getScheme()))) {
      throw new IllegalArgumentException("readiness of pod " + name + " must be an http(s) URL, not " + readiness);
    }
    requireText(specHash, "specHash");
  }

  /** A spec with its hash computed from the other fields; the log file is made absolute. */
  public static ProcessSpec of(String name, String component, List<String> command, Map<String, String> env,
      Path logFile, URI readiness) {
    return of(name, component, null, null, command, env, logFile, readiness);
  }

  /** A spec of replica {@code ordinal} of a workload, running daprx {@code version}. */
  public static ProcessSpec of(String name, String component, String version, Integer ordinal, List<String> command,
      Map<String, String> env, Path logFile, URI readiness) {
    Path log = logFile.toAbsolutePath().normalize();
    Map<String, String> sortedEnv = env == null ? Map.of() : new TreeMap<>(env);
    return new ProcessSpec(name, component, command, sortedEnv, log, readiness,
        hash(component, version, command, sortedEnv, log, readiness), version, ordinal);
  }

  private static String hash(String component, String version, List<String> command, Map<String, String> env, Path logFile,
      URI readiness) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    // length-prefixed fields, so ["a b"] and ["a", "b"] never collide
    field(digest, component);
    if (version != null) {
      field(digest, version); // only when set: specs recorded before versions existed keep their hash
    }
    field(digest, String.valueOf(command.size()));
    command.forEach(arg -> field(digest, arg));
    field(digest, String.valueOf(env.size()));
    env.forEach((k, v) -> {
      field(digest, k);
      field(digest, v);
    });
    field(digest, logFile.toString());
    field(digest, readiness == null ? "" : readiness.toString());
    return HexFormat.of().formatHex(digest.digest(), 0, 12);
  }

  private static void field(MessageDigest digest, String value) {
    byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
    digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
    digest.update(bytes);
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("a process spec needs a " + what);
    }
  }
}
