package io.daprx.scheduler.store;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * How one scheduler replica takes part in the replicated job store.
 *
 * @param selfId this replica's id, a key of {@code peers}
 * @param peers every replica and its Raft address ({@code --etcd-initial-cluster}: the ids are the Raft peer ids and
 *     each URL's host and port the peer's Raft address); unresolved until a connection is made
 * @param dataDir {@code --etcd-data-dir}: Ratis keeps its log in {@code <dataDir>/<selfId>/raft}, the table lives in
 *     {@code <dataDir>/<selfId>/jobs}
 * @param bindHost the host the Raft port listens on; null = every interface
 * @param maxEntryBytes the largest log entry (a job and its command)
 * @param keyManager this replica's certificate for mTLS between replicas, or null for plaintext
 * @param trustManager which peers are accepted under mTLS (both or neither)
 */
public record ReplicaOptions(String selfId, Map<String, InetSocketAddress> peers, Path dataDir, String bindHost,
    int maxEntryBytes, KeyManager keyManager, TrustManager trustManager) {

  /** Raft's election timeout range; the leader heartbeats every half of the minimum (as placement). */
  public static final Duration ELECTION_MIN = Duration.ofMillis(1000);
  public static final Duration ELECTION_MAX = Duration.ofMillis(1500);
  /**
   * A follower the leader has not heard from for this long is dead to the triggering: three missed heartbeats. With
   * the election time this keeps a dead replica's jobs unfired for at most about 5 s, the leader included.
   */
  public static final Duration LIVENESS = Duration.ofMillis(1500);

  public ReplicaOptions {
    Objects.requireNonNull(selfId, "selfId");
    Objects.requireNonNull(dataDir, "dataDir");
    if (peers == null || !peers.containsKey(selfId)) {
      throw new IllegalArgumentException("the replicas " + (peers == null ? "{}" : peers.keySet()) + " do not include this one, '"
          + selfId + "' (--id must be one of the --etcd-initial-cluster ids)");
    }
    if ((keyManager == null) != (trustManager == null)) {
      throw new IllegalArgumentException("mTLS between replicas needs both a key manager and a trust manager (or neither)");
    }
    peers = Collections.unmodifiableMap(new LinkedHashMap<>(peers));
  }

  public boolean mtls() {
    return keyManager != null;
  }

  Path raftDir() {
    return dataDir.resolve(selfId).resolve("raft");
  }

  Path tableDir() {
    return dataDir.resolve(selfId).resolve("jobs");
  }
}
