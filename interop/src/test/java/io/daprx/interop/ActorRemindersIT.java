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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Actor reminders, which daprd 1.18 keeps only in the scheduler: two apps (two app ids) host actor type
 * {@value #TYPE}; every reminder is made through the first one's daprd, and each fires on the host placement gives its
 * actor — for some actors the other app, since a reminder belongs to the actor, not to the app that made it.
 */
@InteropScenario
@Order(6)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActorRemindersIT {

  static final String TYPE = "Reminded";
  static final String MAKER = "remind-maker";
  static final String OTHER = "remind-other";

  static Interop interop;
  static TestApp makerApp;
  static TestApp otherApp;
  static Daprd maker;
  static Daprd other;
  static final Map<Integer, String> INSTANCE_BY_INTERNAL_PORT = new LinkedHashMap<>();

  @BeforeAll
  static void start(Interop fixture) {
    interop = fixture;
    Schedulers.requireScheduler(interop);
    makerApp = TestApp.actors(MAKER, TYPE);
    otherApp = TestApp.actors(OTHER, TYPE);
    maker = interop.sidecar(interop.appId(MAKER)).app(makerApp).actorStateStore().start();
    other = interop.sidecar(interop.appId(OTHER)).app(otherApp).actorStateStore().start();
    INSTANCE_BY_INTERNAL_PORT.put(maker.internalPort(), MAKER);
    INSTANCE_BY_INTERNAL_PORT.put(other.internalPort(), OTHER);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {maker, other, makerApp, otherApp}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  @Test
  @Order(1)
  void bothSidecarsAreHealthyWithTheSchedulerAndHostTheType() {
    Schedulers.awaitHealthyOnTheScheduler(interop, maker, "reminders");
    Schedulers.awaitHealthyOnTheScheduler(interop, other, "reminders");
    await("both sidecars in the placement leader's table for " + TYPE).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          List<String> hosts = interop.cluster().placementHosts(Interop.NAMESPACE, TYPE);
          return hosts.stream().anyMatch(h -> h.endsWith(":" + maker.internalPort())) && hosts.stream().anyMatch(h -> h.endsWith(":" + other.internalPort()));
        });
  }

  @Test
  @Order(2)
  void aReminderMadeThroughOneSidecarFiresOnTheActorsHost() {
    // actor ids until both hosts own two (placement's ring decides; the lookup is what daprd's ring says)
    Map<String, String> hostOf = new LinkedHashMap<>();
    for (int i = 0; i < 24 && !(count(hostOf, MAKER) >= 2 && count(hostOf, OTHER) >= 2); i++) {
      String id = "r-" + i;
      String host = interop.cluster().lookup(Interop.NAMESPACE, TYPE, id);
      String instance = INSTANCE_BY_INTERNAL_PORT.get(Integer.parseInt(host.substring(host.lastIndexOf(':') + 1)));
      assertThat(instance).as("lookup of %s names a host that is none of our sidecars: %s", id, host).isNotNull();
      if (count(hostOf, instance) < 2) {
        hostOf.put(id, instance);
      }
    }
    assertThat(hostOf.values()).as("placement gives actors to both apps").contains(MAKER, OTHER);

    long t0 = System.nanoTime();
    for (String id : hostOf.keySet()) {
      HttpResponse<String> r = maker.call("POST", "/v1.0/actors/" + TYPE + "/" + id + "/reminders/wake",
          "{\"dueTime\": \"1s\", \"data\": {\"for\": \"" + id + "\"}}", Duration.ofSeconds(10));
      assertThat(r.statusCode()).as("register reminder of %s through %s: %s", id, maker.name(), r.body()).isEqualTo(204);
    }
    List<String> late = new ArrayList<>();
    await("every reminder fired on its actor's host").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      for (Map.Entry<String, String> e : hostOf.entrySet()) {
        assertThat(app(e.getValue()).received("PUT", remindPath(e.getKey(), "wake"))).as("reminder of %s on %s", e.getKey(), e.getValue())
            .isNotEmpty();
      }
    });
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    for (Map.Entry<String, String> e : hostOf.entrySet()) {
      String elsewhere = e.getValue().equals(MAKER) ? OTHER : MAKER;
      assertThat(app(elsewhere).received("PUT", remindPath(e.getKey(), "wake"))).as("reminder of %s not on %s", e.getKey(), elsewhere).isEmpty();
      TestApp.Request got = app(e.getValue()).received("PUT", remindPath(e.getKey(), "wake")).get(0);
      try {
        assertThat(DaprxCli.JSON.readTree(got.body()).path("data").path("for").asText()).as("the reminder's data").isEqualTo(e.getKey());
      } catch (IOException ex) {
        late.add(e.getKey() + ": body is not JSON: " + got.body());
      }
    }
    assertThat(late).isEmpty();
    interop.record("scheduler (" + interop.schedulerKind() + "): reminders (due in 1 s) fired on their hosts after",
        Interop.seconds(took) + " (" + count(hostOf, MAKER) + " on the maker's app, " + count(hostOf, OTHER) + " on the other app)");
  }

  @Test
  @Order(3)
  void aPeriodicReminderFiresItsRepetitionsAndStops() {
    String id = "periodic";
    HttpResponse<String> r = maker.call("POST", "/v1.0/actors/" + TYPE + "/" + id + "/reminders/thrice",
        "{\"dueTime\": \"0s\", \"period\": \"R3/PT1S\", \"data\": \"again\"}", Duration.ofSeconds(10));
    assertThat(r.statusCode()).as("register: %s", r.body()).isEqualTo(204);
    await("three repetitions").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> deliveries(id, "thrice") >= 3);
    await("no fourth repetition").during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> deliveries(id, "thrice") == 3);
  }

  @Test
  @Order(4)
  void aDeletedReminderStopsFiring() {
    String id = "deleted";
    HttpResponse<String> r = maker.call("POST", "/v1.0/actors/" + TYPE + "/" + id + "/reminders/forever",
        "{\"dueTime\": \"0s\", \"period\": \"1s\"}", Duration.ofSeconds(10));
    assertThat(r.statusCode()).as("register: %s", r.body()).isEqualTo(204);
    await("two repetitions").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> deliveries(id, "forever") >= 2);
    HttpResponse<String> delete = maker.call("DELETE", "/v1.0/actors/" + TYPE + "/" + id + "/reminders/forever", null, Duration.ofSeconds(10));
    assertThat(delete.statusCode()).as("delete: %s", delete.body()).isEqualTo(204);
    int afterDelete = deliveries(id, "forever");
    // at most a trigger already in flight when the delete came; then nothing for two periods
    await("no repetition after the delete").during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() ->
        deliveries(id, "forever") <= afterDelete + 1);
    HttpResponse<String> get = maker.call("GET", "/v1.0/actors/" + TYPE + "/" + id + "/reminders/forever", null, Duration.ofSeconds(10));
    interop.record("scheduler (" + interop.schedulerKind() + "): GET of a deleted reminder", "HTTP " + get.statusCode() + ": "
        + (get.body().length() > 100 ? get.body().substring(0, 100) + "..." : get.body()));
    // daprd maps the scheduler's NotFound to 404 ERR_ACTOR_REMINDER_NOT_FOUND (as with upstream's scheduler)
    assertThat(get.statusCode()).as("GET of the deleted reminder: %s", get.body()).isEqualTo(404);
  }

  private static int deliveries(String id, String name) {
    return makerApp.received("PUT", remindPath(id, name)).size() + otherApp.received("PUT", remindPath(id, name)).size();
  }

  private static String remindPath(String id, String name) {
    return "/actors/" + TYPE + "/" + id + "/method/remind/" + name;
  }

  private static TestApp app(String instance) {
    return instance.equals(MAKER) ? makerApp : otherApp;
  }

  private static long count(Map<String, String> hostOf, String instance) {
    return hostOf.values().stream().filter(instance::equals).count();
  }
}
