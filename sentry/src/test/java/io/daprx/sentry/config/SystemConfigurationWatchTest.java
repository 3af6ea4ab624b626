package io.daprx.sentry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.sentry.ca.IssuancePolicy;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SystemConfigurationWatchTest {

  @Test
  void anUnreachableApiServerDoesNotHoldTheStartBackAndTheFlagsApply() {
    IssuancePolicy flags = new IssuancePolicy(Duration.ofHours(24), Duration.ofMinutes(15));
    // port 1 refuses at once: every list attempt fails, and the informer keeps retrying in the background
    try (KubernetesClient unreachable = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build()) {
      long t0 = System.nanoTime();
      try (SystemConfigurationWatch watch = SystemConfigurationWatch.start(unreachable, "dapr-system", "daprsystem", flags,
          Duration.ofMillis(300))) {
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(watch.get()).isEqualTo(flags);
      }
    }
  }
}
