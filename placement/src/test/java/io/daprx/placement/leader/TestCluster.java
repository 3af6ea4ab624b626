package io.daprx.placement.leader;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Placement replicas as real Ratis servers on free loopback ports in this JVM. Also watches, through the
 * listeners, how many replicas claimed leadership at the same moment.
 */
final class TestCluster implements AutoCloseable {

  final Map<String, InetSocketAddress> peers;
  final Path storage;
  private final Function<String, RatisOptions> options;
  private final Map<String, RatisLeadership> running = new ConcurrentHashMap<>();
  private final Map<String, List<Boolean>> events = new ConcurrentHashMap<>();
  private final AtomicInteger leadingNow = new AtomicInteger();
  private final AtomicInteger mostLeadingAtOnce = new AtomicInteger();
  private final Map<String, Long> leaderSince = new ConcurrentHashMap<>();

  private TestCluster(Map<String, InetSocketAddress> peers, Path storage, Function<String, RatisOptions> options) {
    this.peers = peers;
    this.storage = storage;
    this.options = options;
  }

  /** Replicas dapr-placement-server-0..n-1 on free loopback ports, plaintext. */
  static TestCluster plaintext(Path storage, int n) {
    Map<String, InetSocketAddress> peers = loopbackPeers(n);
    return new TestCluster(peers, storage, id -> RatisOptions.plaintext(id, peers, storage));
  }

  static TestCluster of(Map<String, InetSocketAddress> peers, Path storage, Function<String, RatisOptions> options) {
    return new TestCluster(peers, storage, options);
  }

  static Map<String, InetSocketAddress> loopbackPeers(int n) {
    Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      peers.put(id(i), new InetSocketAddress("127.0.0.1", freePort()));
    }
    return peers;
  }

  static String id(int i) {
    return "dapr-placement-server-" + i;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RatisLeadership start(String id) {
    RatisLeadership r = RatisLeadership.start(options.apply(id));
    List<Boolean> seen = events.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
    // each replica's listener runs on that replica's own thread: the counter sees overlaps between replicas
    boolean[] leading = {false};
    r.onChange(now -> {
      seen.add(now);
      if (now) {
        leaderSince.put(id, System.nanoTime());
      }
      if (now && !leading[0]) {
        mostLeadingAtOnce.accumulateAndGet(leadingNow.incrementAndGet(), Math::max);
      } else if (!now && leading[0]) {
        leadingNow.decrementAndGet();
      }
      leading[0] = now;
    });
    running.put(id, r);
    return r;
  }

  void startAll() {
    peers.keySet().forEach(this::start);
  }

  void stop(String id) {
    RatisLeadership r = running.remove(id);
    if (r != null) {
      r.close();
    }
  }

  /** Stops a replica without handing leadership over, as if its process died. */
  void crash(String id) {
    RatisLeadership r = running.remove(id);
    if (r != null) {
      r.closeWithoutHandOver();
    }
  }

  RatisLeadership get(String id) {
    return running.get(id);
  }

  List<String> leaders() {
    List<String> l = new ArrayList<>();
    running.forEach((id, r) -> {
      if (r.isLeader()) {
        l.add(id);
      }
    });
    return l;
  }

  /** Waits until exactly one running replica leads and every running replica knows it; returns its id. */
  String awaitOneLeader(Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<String> l = leaders();
      return l.size() == 1 && running.values().stream().allMatch(r -> r.leaderId().equals(java.util.Optional.of(l.get(0))));
    });
    return leaders().get(0);
  }

  /** What a replica's listener was told, in order (the first value is the one current at registration). */
  List<Boolean> events(String id) {
    return events.getOrDefault(id, List.of());
  }

  /** {@link System#nanoTime()} when the replica's listener last heard {@code true}. */
  long leaderSinceNanos(String id) {
    return leaderSince.get(id);
  }

  int mostLeadingAtOnce() {
    return mostLeadingAtOnce.get();
  }

  @Override
  public void close() {
    new ArrayList<>(running.keySet()).forEach(this::stop);
  }
}
