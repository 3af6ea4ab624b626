package io.daprx.placement.leader;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * How one placement replica takes part in the Raft election.
 *
 * @param selfId this replica's id, e.g. {@code dapr-placement-server-0}; must be a key of {@code peers}
 * @param peers every replica (this one included) and its raft/peer address, in {@code --initial-cluster} order;
 *     addresses may be unresolved: they are looked up when a connection is made, so a peer whose DNS name does
 *     not exist yet does not stop this replica from starting
 * @param storageDir where Ratis keeps this replica's term, vote and (tiny) log; a subdirectory named after
 *     {@code selfId} is used, so replicas on one machine may share the same value
 * @param keyManager this replica's certificate for mTLS between peers, or null for plaintext
 * @param trustManager which peers are accepted under mTLS, or null for plaintext (both or neither)
 * @param timeouts the election timing
 */
public record RatisOptions(
    String selfId,
    Map<String, InetSocketAddress> peers,
    Path storageDir,
    KeyManager keyManager,
    TrustManager trustManager,
    ElectionTimeouts timeouts) {

  public RatisOptions {
    requireValidId(selfId, "replica id");
    Objects.requireNonNull(peers, "peers");
    Objects.requireNonNull(storageDir, "storageDir");
    Objects.requireNonNull(timeouts, "timeouts");
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("the cluster has no replicas");
    }
    peers.keySet().forEach(id -> requireValidId(id, "replica id"));
    if (!peers.containsKey(selfId)) {
      throw new IllegalArgumentException("the cluster " + peers.keySet() + " has no entry for this replica's id '" + selfId
          + "' (--id must be one of the --initial-cluster ids)");
    }
    if ((keyManager == null) != (trustManager == null)) {
      throw new IllegalArgumentException("mTLS between replicas needs both a key manager and a trust manager (or neither for plaintext)");
    }
    peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
  }

  /** Options with the default election timing. */
  public RatisOptions(String selfId, Map<String, InetSocketAddress> peers, Path storageDir,
      KeyManager keyManager, TrustManager trustManager) {
    this(selfId, peers, storageDir, keyManager, trustManager, ElectionTimeouts.DEFAULT);
  }

  /** Plaintext options with the default election timing. */
  public static RatisOptions plaintext(String selfId, Map<String, InetSocketAddress> peers, Path storageDir) {
    return new RatisOptions(selfId, peers, storageDir, null, null);
  }

  public boolean mtls() {
    return keyManager != null;
  }

  /**
   * Parses {@code --initial-cluster}: {@code id=host:port,id=host:port,...} (IPv6 hosts in brackets:
   * {@code id=[::1]:8201}). No name is resolved here.
   *
   * @throws IllegalArgumentException naming the offending entry: empty list or entry, missing {@code =} or port,
   *     bad port, duplicate id, two ids on one address
   */
  public static Map<String, InetSocketAddress> parseInitialCluster(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("--initial-cluster is empty; expected id=host:port,...");
    }
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    Map<String, String> idByAddress = new HashMap<>();
    for (String raw : spec.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException("--initial-cluster '" + spec + "' has an empty entry");
      }
      int eq = entry.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' is not id=host:port");
      }
      String id = entry.substring(0, eq).strip();
      if (id.isEmpty()) {
        throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' has no id before '='");
      }
      requireValidId(id, "--initial-cluster id");
      InetSocketAddress address = parseAddress(entry, entry.substring(eq + 1).strip());
      if (peers.putIfAbsent(id, address) != null) {
        throw new IllegalArgumentException("--initial-cluster lists replica id '" + id + "' twice");
      }
      String key = address.getHostString().toLowerCase() + ":" + address.getPort();
      String other = idByAddress.putIfAbsent(key, id);
      if (other != null) {
        throw new IllegalArgumentException("--initial-cluster gives replicas '" + other + "' and '" + id + "' the same address " + key);
      }
    }
    return peers;
  }

  private static InetSocketAddress parseAddress(String entry, String hostPort) {
    String host;
    String port;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' is not id=[ipv6]:port");
      }
      host = hostPort.substring(1, close);
      port = hostPort.substring(close + 2);
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' has no port (expected id=host:port)");
      }
      if (hostPort.indexOf(':') != colon) {
        throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' has several ':'; write IPv6 hosts in brackets: id=[::1]:8201");
      }
      host = hostPort.substring(0, colon);
      port = hostPort.substring(colon + 1);
    }
    if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' has no valid host");
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' has port '" + port + "', not a number");
    }
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException("--initial-cluster entry '" + entry + "' has port " + p + ", outside 1..65535");
    }
    return InetSocketAddress.createUnresolved(host, p);
  }

  private static void requireValidId(String id, String what) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    // the id names a directory and is matched across replicas: keep it to what a pod name may hold
    if (!id.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(what + " '" + id + "' may only hold letters, digits, '.', '_' and '-'");
    }
  }

  /**
   * Raft timing. A follower starts an election once it has heard nothing from the leader for a random time
   * between {@code min} and {@code max}; the leader heartbeats every {@code min / 2}.
   */
  public record ElectionTimeouts(Duration min, Duration max) {

    /**
     * 1–1.5 s. Ratis turns candidate at the end of the first full timeout that began after the last heartbeat, so a
     * crashed leader is replaced 2–3 s after it stopped (measured on loopback: 1.6–2.7 s, median 2.4 s; 2 s as the
     * maximum gave up to 3.2 s). Heartbeats every 500 ms leave room for GC pauses and a busy machine.
     */
    public static final ElectionTimeouts DEFAULT = new ElectionTimeouts(Duration.ofMillis(1000), Duration.ofMillis(1500));

    public ElectionTimeouts {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (min.toMillis() < 100 || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("election timeouts need 100 ms <= min <= max, got " + min + " and " + max);
      }
    }

    /**
     * How long a leader may keep serving after the last heartbeat a majority answered. Below {@code min}, because
     * a follower that heard the leader within {@code min} refuses to vote for anyone else, so no new leader can
     * exist before this lease runs out (Ratis uses the same 0.9 ratio for its own read lease).
     */
    public Duration lease() {
      return Duration.ofMillis(min.toMillis() * 9 / 10);
    }
  }
}
