package io.daprx.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** What the scheduler scenarios share: the skip when the run has no scheduler, and the check a sidecar uses it. */
final class Schedulers {

  private Schedulers() {}

  /** Skips the scenario, saying why, when the run has no scheduler ({@code -Ddaprx.interop.scheduler=none}). */
  static void requireScheduler(Interop interop) {
    Assumptions.assumeTrue(interop.schedulerAddress().isPresent(),
        "this run has no scheduler (daprx.interop.scheduler=none): daprd's jobs, reminders and workflows are off");
  }

  /**
   * The sidecar is healthy ({@code /v1.0/healthz} 204, which daprd 1.18 answers only once WatchHosts gave it the
   * scheduler's hosts) with the run's scheduler address on its command line, and its log says it got them.
   */
  static void awaitHealthyOnTheScheduler(Interop interop, Daprd daprd, String scenario) {
    List<String> args = daprd.spec().args();
    int flag = args.indexOf("--scheduler-host-address");
    assertThat(flag).as("%s has --scheduler-host-address", daprd.name()).isGreaterThanOrEqualTo(0);
    assertThat(args.get(flag + 1)).isEqualTo(interop.schedulerAddress().orElseThrow());
    long start = System.nanoTime();
    daprd.awaitHealthy(Duration.ofSeconds(60));
    interop.record(scenario + ": healthz 204 with the scheduler (" + interop.schedulerKind() + "), waited",
        Interop.seconds(Duration.ofNanos(System.nanoTime() - start)));
    assertThat(daprd.status(daprd.httpPort(), "/v1.0/healthz")).as("healthz of %s on the API port", daprd.name()).isEqualTo(204);
    await(daprd.name() + " got the scheduler's hosts").atMost(Duration.ofSeconds(5)).until(() ->
        daprd.logText().contains("Connected and received scheduler hosts addresses"));
  }
}
