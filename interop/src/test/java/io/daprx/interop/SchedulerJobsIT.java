package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Jobs API: a real daprd stores its app's jobs in the scheduler ({@code POST /v1.0-alpha1/jobs/<name>}), the
 * scheduler triggers them on daprd's WatchJobs streams, and daprd calls its app with {@code POST /job/<name>} and the
 * job's data; GetJob and DeleteJob through daprd answer from the scheduler.
 */
@InteropScenario
@Order(5)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerJobsIT {

  static Interop interop;
  static TestApp app;
  static Daprd daprd;

  @BeforeAll
  static void start(Interop fixture) {
    interop = fixture;
    Schedulers.requireScheduler(interop);
    app = TestApp.plain("jobs-app");
    daprd = interop.sidecar(interop.appId("jobs")).app(app).start();
  }

  @AfterAll
  static void stop() {
    if (daprd != null) {
      daprd.close();
      app.close();
    }
  }

  @Test
  @Order(1)
  void theSidecarIsHealthyWithTheSchedulerAddressConfigured() {
    Schedulers.awaitHealthyOnTheScheduler(interop, daprd, "jobs");
  }

  @Test
  @Order(2)
  void aJobReachesTheAppAsPostJobNameWithItsData() throws IOException {
    String name = "one-shot";
    long t0 = System.nanoTime();
    HttpResponse<String> r = daprd.call("POST", "/v1.0-alpha1/jobs/" + name,
        "{\"data\": {\"hello\": \"world\", \"n\": 1}, \"dueTime\": \"1s\"}", Duration.ofSeconds(10));
    assertThat(r.statusCode()).as("schedule %s: %s", name, r.body()).isEqualTo(204);
    await("the app got POST /job/" + name).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() ->
        !app.received("POST", "/job/" + name).isEmpty());
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    TestApp.Request got = app.received("POST", "/job/" + name).get(0);
    assertThat(DaprxCli.JSON.readTree(got.body())).as("the job's data, as the app got it")
        .isEqualTo(DaprxCli.JSON.readTree("{\"hello\": \"world\", \"n\": 1}"));
    interop.record("scheduler (" + interop.schedulerKind() + "): job due in 1 s reached the app after", Interop.seconds(took));
  }

  @Test
  @Order(3)
  void aRepeatingJobFiresItsRepeatsAndNoMore() {
    String name = "three-times";
    HttpResponse<String> r = daprd.call("POST", "/v1.0-alpha1/jobs/" + name,
        "{\"data\": \"tick\", \"schedule\": \"@every 1s\", \"repeats\": 3}", Duration.ofSeconds(10));
    assertThat(r.statusCode()).as("schedule %s: %s", name, r.body()).isEqualTo(204);
    await("the app got " + name + " three times").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
        app.received("POST", "/job/" + name).size() >= 3);
    // the job is over after its third tick: nothing more comes (two periods' worth of waiting)
    await("no fourth trigger of " + name).during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() ->
        app.received("POST", "/job/" + name).size() == 3);
    List<TestApp.Request> got = app.received("POST", "/job/" + name);
    assertThat(got).extracting(TestApp.Request::body).containsOnly("\"tick\"");
    assertThat(Duration.between(got.get(0).at(), got.get(2).at())).as("three ticks of @every 1s")
        .isBetween(Duration.ofMillis(1500), Duration.ofMillis(3500));
  }

  @Test
  @Order(4)
  void aFailedTriggerIsRetriedAfterTheDefaultOneSecond() {
    String name = "fails-once";
    app.failNext("/job/" + name, 1); // daprd answers the scheduler FAILED for the first trigger
    HttpResponse<String> r = daprd.call("POST", "/v1.0-alpha1/jobs/" + name, "{\"data\": \"retry me\", \"dueTime\": \"0s\"}",
        Duration.ofSeconds(10));
    assertThat(r.statusCode()).as("schedule %s: %s", name, r.body()).isEqualTo(204);
    await("the app got " + name + " again after failing it").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() ->
        app.received("POST", "/job/" + name).size() >= 2);
    // the retry succeeded: the one-shot job is over
    await("no third trigger of " + name).during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(4)).until(() ->
        app.received("POST", "/job/" + name).size() == 2);
    List<TestApp.Request> got = app.received("POST", "/job/" + name);
    Duration gap = Duration.between(got.get(0).at(), got.get(1).at());
    interop.record("scheduler (" + interop.schedulerKind() + "): a failed trigger came again after", Interop.seconds(gap));
    assertThat(gap).as("the default failure policy: constant, 1 s").isBetween(Duration.ofMillis(800), Duration.ofMillis(3000));
  }

  @Test
  @Order(5)
  void getJobAndDeleteJobThroughTheSidecarAnswerFromTheScheduler() throws IOException {
    String name = "later";
    HttpResponse<String> r = daprd.call("POST", "/v1.0-alpha1/jobs/" + name,
        "{\"data\": {\"kept\": true}, \"schedule\": \"@every 1h\", \"repeats\": 5}", Duration.ofSeconds(10));
    assertThat(r.statusCode()).as("schedule %s: %s", name, r.body()).isEqualTo(204);

    HttpResponse<String> get = daprd.call("GET", "/v1.0-alpha1/jobs/" + name, null, Duration.ofSeconds(10));
    assertThat(get.statusCode()).as("GetJob: %s", get.body()).isEqualTo(200);
    JsonNode job = DaprxCli.JSON.readTree(get.body());
    assertThat(job.path("name").asText()).isEqualTo(name);
    assertThat(job.path("schedule").asText()).isEqualTo("@every 1h");
    assertThat(job.path("repeats").asInt()).isEqualTo(5);
    // daprd shows the stored Any as protojson does (upstream's scheduler gives the same answer)
    assertThat(job.path("data")).isEqualTo(DaprxCli.JSON.readTree(
        "{\"@type\": \"type.googleapis.com/google.protobuf.Value\", \"value\": {\"kept\": true}}"));

    HttpResponse<String> again = daprd.call("POST", "/v1.0-alpha1/jobs/" + name,
        "{\"data\": 1, \"schedule\": \"@every 1h\", \"overwrite\": false}", Duration.ofSeconds(10));
    assertThat(again.statusCode()).as("a second ScheduleJob without overwrite is refused: %s", again.body()).isNotEqualTo(204);

    HttpResponse<String> delete = daprd.call("DELETE", "/v1.0-alpha1/jobs/" + name, null, Duration.ofSeconds(10));
    assertThat(delete.statusCode()).as("DeleteJob: %s", delete.body()).isEqualTo(204);
    HttpResponse<String> gone = daprd.call("GET", "/v1.0-alpha1/jobs/" + name, null, Duration.ofSeconds(10));
    assertThat(gone.statusCode()).as("GetJob after DeleteJob: %s", gone.body()).isNotEqualTo(200);
    assertThat(gone.body().toLowerCase()).as("GetJob after DeleteJob").contains("not found");
    interop.record("scheduler (" + interop.schedulerKind() + "): GetJob of a deleted job", "HTTP " + gone.statusCode() + ": "
        + (gone.body().length() > 100 ? gone.body().substring(0, 100) + "..." : gone.body()));
    assertThat(app.received("POST", "/job/" + name)).as("a deleted job never fires").isEmpty();
  }

  @Test
  @Order(6)
  void aJobDueWhileItsAppIsAwayFiresWhenTheAppIsBack() {
    String appId = interop.appId("jobs-away");
    String name = "while-away";
    TestApp first = TestApp.plain("jobs-away-1");
    Daprd before = interop.sidecar(appId).name(appId + "-1").app(first).start().awaitHealthy(Duration.ofSeconds(60));
    HttpResponse<String> r = before.call("POST", "/v1.0-alpha1/jobs/" + name, "{\"data\": \"held\", \"dueTime\": \"6s\"}",
        Duration.ofSeconds(10));
    assertThat(r.statusCode()).as("schedule %s: %s", name, r.body()).isEqualTo(204);
    java.time.Instant due = java.time.Instant.now().plusSeconds(6);
    before.close();
    first.close();
    assertThat(first.received("POST", "/job/" + name)).as("the job was not due while the first sidecar ran").isEmpty();
    // the app is away when the job falls due; the scheduler holds it
    await("the job's due time passes").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() ->
        java.time.Instant.now().isAfter(due.plusSeconds(1)));
    TestApp back = TestApp.plain("jobs-away-2");
    long t0 = System.nanoTime();
    Daprd after = interop.sidecar(appId).name(appId + "-2").app(back).start();
    try {
      await("the held job reached the app that came back").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
          !back.received("POST", "/job/" + name).isEmpty());
      interop.record("scheduler (" + interop.schedulerKind() + "): a job due while its app was away fired after",
          Interop.seconds(Duration.ofNanos(System.nanoTime() - t0)) + " from the new sidecar's start");
      // At least once (WIRE.md): daprd restarts its streams once while it starts, cancelling an app call in flight
      // ("failed to invoke schedule app job: ... context canceled"); the trigger it never answered fires again on the
      // new stream, as it does from upstream's scheduler. So the held job may arrive twice, never more, with its data.
      await("never more than twice").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() ->
          back.received("POST", "/job/" + name).size() <= 2);
      List<TestApp.Request> got = back.received("POST", "/job/" + name);
      assertThat(got).extracting(TestApp.Request::body).as("the held job, with its data").isNotEmpty().hasSizeLessThanOrEqualTo(2)
          .containsOnly("\"held\"");
      if (got.size() == 2) {
        interop.record("scheduler (" + interop.schedulerKind() + "): the held job again after daprd's start-up stream restart",
            "delivered twice (at least once)");
      }
    } finally {
      after.close();
      back.close();
    }
  }

  @Test
  @Order(7)
  void jobsOfAnAppWithTwoSidecarsFireOnceEach() {
    String appId = interop.appId("jobs-pair");
    TestApp one = TestApp.plain("jobs-pair-1");
    TestApp two = TestApp.plain("jobs-pair-2");
    Daprd d1 = interop.sidecar(appId).name(appId + "-1").app(one).start();
    Daprd d2 = interop.sidecar(appId).name(appId + "-2").app(two).start();
    try {
      d1.awaitHealthy(Duration.ofSeconds(60));
      d2.awaitHealthy(Duration.ofSeconds(60));
      int jobs = 12;
      for (int i = 0; i < jobs; i++) {
        Daprd via = i % 2 == 0 ? d1 : d2;
        HttpResponse<String> r = via.call("POST", "/v1.0-alpha1/jobs/pair-" + i, "{\"data\": " + i + ", \"dueTime\": \"1s\"}",
            Duration.ofSeconds(10));
        assertThat(r.statusCode()).as("schedule pair-%d: %s", i, r.body()).isEqualTo(204);
      }
      await("every job reached one of the app's instances").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
          pairDeliveries(one).size() + pairDeliveries(two).size() >= jobs);
      await("and no job twice").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() ->
          pairDeliveries(one).size() + pairDeliveries(two).size() == jobs);
      List<String> all = new java.util.ArrayList<>(pairDeliveries(one));
      all.addAll(pairDeliveries(two));
      assertThat(all).as("each job once, on either instance").containsExactlyInAnyOrderElementsOf(
          java.util.stream.IntStream.range(0, jobs).mapToObj(i -> "/job/pair-" + i).toList());
      interop.record("scheduler (" + interop.schedulerKind() + "): 12 jobs of an app with two sidecars", pairDeliveries(one).size()
          + " on the first, " + pairDeliveries(two).size() + " on the second, none twice");
    } finally {
      d1.close();
      d2.close();
      one.close();
      two.close();
    }
  }

  private static List<String> pairDeliveries(TestApp app) {
    return app.received().stream().filter(r -> r.method().equals("POST") && r.path().startsWith("/job/pair-")).map(TestApp.Request::path).toList();
  }
}
