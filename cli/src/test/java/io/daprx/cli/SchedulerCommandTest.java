package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.common.runtime.ComponentFlags;
import io.daprx.scheduler.SchedulerFlags;
import org.junit.jupiter.api.Test;

/** {@code daprx scheduler}: upstream's flags, parsed by the names the scheduler declares. */
class SchedulerCommandTest {

  @Test
  void helpListsUpstreamsFlagsWithTheirDefaults() {
    InProcessCli.Result help = InProcessCli.run("scheduler", "--help");
    assertThat(help.code()).isZero();
    for (String flag : new String[] {SchedulerFlags.ID, ComponentFlags.PORT, ComponentFlags.HEALTHZ_PORT, ComponentFlags.METRICS_PORT,
        ComponentFlags.LISTEN_ADDRESS, ComponentFlags.MODE, SchedulerFlags.TLS_ENABLED, ComponentFlags.TRUST_DOMAIN,
        ComponentFlags.TRUST_ANCHORS_FILE, ComponentFlags.SENTRY_ADDRESS, SchedulerFlags.OVERRIDE_BROADCAST_HOST_PORT,
        SchedulerFlags.WORKERS, SchedulerFlags.ETCD_DATA_DIR, SchedulerFlags.ETCD_INITIAL_CLUSTER, SchedulerFlags.ETCD_CLIENT_PORT,
        ComponentFlags.LOG_LEVEL, ComponentFlags.LOG_AS_JSON}) {
      assertThat(help.out()).contains(flag);
    }
    assertThat(help.out()).contains("50006").contains("dapr-scheduler-server-0").contains("2048");
  }

  @Test
  void anUnknownModeIsAUsageError() {
    InProcessCli.Result r = InProcessCli.run("scheduler", "--mode", "cloud");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("--mode");
  }

  @Test
  void aBadJobSizeIsAUsageErrorSayingWhatToWrite() {
    assertThat(InProcessCli.run("scheduler", "--help").out()).contains(SchedulerFlags.MAX_JOB_SIZE).contains("8Mi");
    InProcessCli.Result r = InProcessCli.run("scheduler", SchedulerFlags.MAX_JOB_SIZE, "lots");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("--max-job-size").contains("16Mi");
  }

  @Test
  void mtlsWithoutTrustAnchorsSaysWhatIsMissing() {
    InProcessCli.Result r = InProcessCli.run("scheduler", "--port", "0", "--healthz-port", "0", "--metrics-port", "0",
        "--listen-address", "127.0.0.1");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("--trust-anchors-file");
  }
}
