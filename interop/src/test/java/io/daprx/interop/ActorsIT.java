package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Actors: two real daprd sidecars of one app host actor type {@code T} through our placement. Calls for many actor ids,
 * through either sidecar, land on the host {@code daprx placement lookup} predicts; after {@code kill -9} of the
 * placement leader (three times, one after the other), calls work again within 5 s each time.
 */
@InteropScenario
@Order(4)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActorsIT {

  static final String TYPE = "T";
  static final int ACTOR_IDS = 16;
  static final Duration FAILOVER_BUDGET = Duration.ofSeconds(5);
  /** Kills of the leader, one after the other (each once the killed replica is back): a figure, not an anecdote. */
  static final int FAILOVER_ROUNDS = 3;

  static Interop interop;
  static Daprd host1;
  static Daprd host2;
  static final Map<Integer, String> INSTANCE_BY_INTERNAL_PORT = new LinkedHashMap<>();
  static final List<String> IDS = IntStream.range(0, ACTOR_IDS).mapToObj(i -> "actor-" + i).toList();
  /** Where {@code daprx placement lookup} put each id before the failover (one CLI run per id: computed once). */
  static Map<String, String> predicted;

  @BeforeAll
  static void start(Interop fixture) {
    interop = fixture;
    String appId = interop.appId("actors"); // two replicas of one app
    host1 = interop.sidecar(appId).name(appId + "-1").app(TestApp.actors("actor-host-1", TYPE)).actorStateStore().start();
    host2 = interop.sidecar(appId).name(appId + "-2").app(TestApp.actors("actor-host-2", TYPE)).actorStateStore().start();
    INSTANCE_BY_INTERNAL_PORT.put(host1.internalPort(), "actor-host-1");
    INSTANCE_BY_INTERNAL_PORT.put(host2.internalPort(), "actor-host-2");
    host1.awaitHealthy(Duration.ofSeconds(60));
    host2.awaitHealthy(Duration.ofSeconds(60));
    awaitBothHostsInTheLeadersTable(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    host1.close();
    host2.close();
  }

  @Test
  @Order(1)
  void callsLandOnTheHostThatPlacementLookupPredicts() {
    predicted = predictions();
    assertThat(predicted.values()).as("the ring spreads %d ids over both hosts", ACTOR_IDS).contains("actor-host-1", "actor-host-2");
    for (String id : IDS) {
      for (Daprd via : List.of(host1, host2)) {
        assertThat(whoami(via, id, Duration.ofSeconds(10))).as("actor %s/%s through %s", TYPE, id, via.name()).isEqualTo(predicted.get(id));
      }
    }
    interop.record("actors: ids per host (lookup = answered)", predicted.values().stream().filter("actor-host-1"::equals).count() + " / "
        + predicted.values().stream().filter("actor-host-2"::equals).count() + " of " + ACTOR_IDS + ", through both sidecars");
  }

  @Test
  @Order(2)
  void callsWorkAgainWithinFiveSecondsOfKillingThePlacementLeader() {
    if (predicted == null) {
      predicted = predictions();
    }
    List<Duration> recoveries = new ArrayList<>();
    for (int round = 1; round <= FAILOVER_ROUNDS; round++) {
      recoveries.add(killTheLeaderAndMeasure(round));
    }
    interop.record("actors: failover, all calls answered again after", recoveries.stream().map(Interop::seconds).toList()
        + " (" + FAILOVER_ROUNDS + " kills of the leader)");
    assertThat(recoveries).as("calls work again within %s of kill -9 of the placement leader", FAILOVER_BUDGET)
        .allSatisfy(d -> assertThat(d).isLessThan(FAILOVER_BUDGET));
    // the last new leader still predicts where every call lands
    assertThat(predictions()).isEqualTo(predicted);
  }

  /** One kill -9 of the leader: returns how long until every actor call is answered by its predicted host again. */
  private static Duration killTheLeaderAndMeasure(int round) {
    LocalCluster.Pod killed = interop.cluster().placementLeader().orElseThrow(() -> new AssertionError("no placement leader")).getKey();
    int closed1 = count(host1.logText(), "Placement stream closed");
    int closed2 = count(host2.logText(), "Placement stream closed");
    ProcessHandle victim = ProcessHandle.of(killed.pid()).orElseThrow(() -> new AssertionError("placement leader pid " + killed.pid() + " is gone"));

    long t0 = System.nanoTime();
    assertThat(victim.destroyForcibly()).as("kill -9 %s (pid %d)", killed.name(), killed.pid()).isTrue();
    // both sidecars see their stream end: from now on an actor call waits for a new leader's table
    await("both sidecars saw the placement stream end").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
        count(host1.logText(), "Placement stream closed") > closed1 && count(host2.logText(), "Placement stream closed") > closed2);
    Duration noticed = since(t0);

    // passes of every id through alternating sidecars, in parallel, until one pass is answered completely and correctly
    int passes = 0;
    int failedCalls = 0;
    List<String> lastErrors = new ArrayList<>();
    Set<String> failureKinds = new TreeSet<>();
    Duration recovered = null;
    while (recovered == null && since(t0).compareTo(Duration.ofSeconds(30)) < 0) {
      passes++;
      List<CompletableFuture<String>> calls = new ArrayList<>();
      for (int i = 0; i < IDS.size(); i++) {
        Daprd via = i % 2 == 0 ? host1 : host2;
        String id = IDS.get(i);
        calls.add(via.callAsync("POST", "/v1.0/actors/" + TYPE + "/" + id + "/method/whoami", "{}", Duration.ofSeconds(10))
            .handle((r, err) -> err != null ? "error: " + err : r.statusCode() != 200 ? "HTTP " + r.statusCode() + ": " + r.body() : instance(r)));
      }
      List<String> answers = calls.stream().map(CompletableFuture::join).toList();
      lastErrors.clear();
      for (int i = 0; i < IDS.size(); i++) {
        if (!answers.get(i).equals(predicted.get(IDS.get(i)))) {
          lastErrors.add(IDS.get(i) + ": placement predicts " + predicted.get(IDS.get(i)) + ", answered: " + answers.get(i));
        }
      }
      failedCalls += lastErrors.size();
      // what a failed call looked like, whatever the actor id (an answer from the other host: a one-host table)
      lastErrors.forEach(e -> failureKinds.add(e.replaceAll("actor-\\d+", "ID").replaceAll("\\s+", " ")));
      if (lastErrors.isEmpty()) {
        recovered = since(t0);
      }
    }
    assertThat(recovered).as("actor calls never worked again after the leader was killed; last errors: %s", lastErrors).isNotNull();
    String r = "actors: failover " + round + ", ";
    interop.record(r + "killed", killed.name() + " (pid " + killed.pid() + "); sidecars saw it after " + Interop.seconds(noticed));
    interop.record(r + "all calls answered again after", Interop.seconds(recovered) + " (" + passes + " passes, " + failedCalls + " failed calls)");
    failureKinds.forEach(k -> interop.record(r + "a failed call", k.length() > 160 ? k.substring(0, 160) + "..." : k));

    // a new leader holds both hosts; the supervisor brings the killed replica back before the next round
    awaitBothHostsInTheLeadersTable(Duration.ofSeconds(30));
    interop.record(r + "new leader with both hosts", interop.cluster().placementLeader().orElseThrow().getKey().name()
        + " (seen " + Interop.seconds(since(t0)) + " after the kill)");
    await("the killed replica runs again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() ->
        interop.cluster().pods().stream().anyMatch(p -> p.name().equals(killed.name()) && p.ready() && p.pid() != killed.pid()));
    return recovered;
  }

  /** Where {@code daprx placement lookup} says each id lives, as the app instance behind that host. */
  static Map<String, String> predictions() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String id : IDS) {
      String host = interop.cluster().lookup(Interop.NAMESPACE, TYPE, id);
      int port = Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
      assertThat(INSTANCE_BY_INTERNAL_PORT).as("lookup of %s names a host that is none of our sidecars: %s", id, host).containsKey(port);
      out.put(id, INSTANCE_BY_INTERNAL_PORT.get(port));
    }
    return out;
  }

  static void awaitBothHostsInTheLeadersTable(Duration atMost) {
    await("both sidecars in the placement leader's table for " + TYPE).atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<String> hosts = interop.cluster().placementHosts(Interop.NAMESPACE, TYPE);
      return hosts.stream().anyMatch(h -> h.endsWith(":" + host1.internalPort())) && hosts.stream().anyMatch(h -> h.endsWith(":" + host2.internalPort()));
    });
  }

  static String whoami(Daprd via, String id, Duration timeout) {
    HttpResponse<String> r = via.call("POST", "/v1.0/actors/" + TYPE + "/" + id + "/method/whoami", "{}", timeout);
    assertThat(r.statusCode()).as("actor %s through %s: %s", id, via.name(), r.body()).isEqualTo(200);
    return instance(r);
  }

  static String instance(HttpResponse<String> r) {
    try {
      return DaprxCli.JSON.readTree(r.body()).path("instance").asText();
    } catch (IOException e) {
      return "not JSON: " + r.body();
    }
  }

  static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
