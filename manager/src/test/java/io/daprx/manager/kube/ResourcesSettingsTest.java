package io.daprx.manager.kube;

import static io.daprx.manager.kube.Fixtures.podSpecs;
import static io.daprx.manager.kube.Fixtures.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.model.DaprSettings;
import io.daprx.manager.model.InvalidSettingsException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Containers' requests and limits: the measured defaults, overridden with upstream's chart names
 * ({@code dapr_operator.resources.limits.memory}, ...), and the JVM heap sized to fit the limit.
 */
class ResourcesSettingsTest {

  @Test
  void everyContainerHasItsMeasuredMemoryAndAHeapThatFitsIt() {
    podSpecs(render(Map.of())).forEach((w, p) -> {
      Container c = p.getContainers().get(0);
      assertThat(c.getResources().getRequests()).as(w).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).as(w).containsKey("memory").doesNotContainKey("cpu");
      long limit = Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")).longValue();
      String opts = env(c, "DAPRX_JAVA_OPTS");
      assertThat(opts).as(w).startsWith("-Xmx");
      long heap = Long.parseLong(opts.split(" ")[0].replaceAll("[^0-9]", "")) << 20;
      assertThat(heap).as(w + ": the heap leaves room for metaspace, code and threads").isLessThanOrEqualTo(limit * 3 / 4);
    });
    Container operator = podSpecs(render(Map.of())).get("dapr-operator").getContainers().get(0);
    assertThat(env(operator, "DAPRX_JAVA_OPTS")).isEqualTo("-Xmx256m"); // the table's own heap at the default limit
  }

  @Test
  void anOverrideLandsAndTheHeapFollowsTheLimit() {
    Map<String, String> settings = Map.of("dapr_operator.resources.limits.memory", "1Gi", "dapr_operator.resources.requests.memory",
        "300Mi", "dapr_operator.resources.requests.cpu", "250m", "dapr_operator.resources.limits.cpu", "1",
        "dapr_sentry.resources.limits.memory", "64Mi");
    Map<String, io.fabric8.kubernetes.api.model.PodSpec> pods = podSpecs(render(settings));
    Container operator = pods.get("dapr-operator").getContainers().get(0);
    assertThat(operator.getResources().getLimits()).containsEntry("memory", new Quantity("1Gi")).containsEntry("cpu", new Quantity("1"));
    assertThat(operator.getResources().getRequests()).containsEntry("memory", new Quantity("300Mi")).containsEntry("cpu", new Quantity("250m"));
    assertThat(env(operator, "DAPRX_JAVA_OPTS")).isEqualTo("-Xmx512m"); // twice the default limit: twice the table's heap
    // a limit below sentry's initial heap lowers it too (the JVM refuses -Xms above -Xmx), its 8 MB young generation
    // fits half the heap and stays; the default request, above the new limit, comes down to it
    Container sentry = pods.get("dapr-sentry").getContainers().get(0);
    // (the table: -Xmx256m -Xms48m -Xmn8m at the default 768Mi; a twelfth of the limit gives a 21 MB heap)
    assertThat(env(sentry, "DAPRX_JAVA_OPTS")).isEqualTo("-Xmx21m -Xms21m");
    assertThat(sentry.getResources().getRequests()).containsEntry("memory", new Quantity("64Mi"));
    // others keep their defaults
    Container placement = pods.get("dapr-placement-server").getContainers().get(0);
    assertThat(placement.getResources().getLimits()).doesNotContainKey("cpu");
  }

  @Test
  void aBadQuantityIsRefusedByName() {
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_placement.resources.limits.memory", "lots")))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("dapr_placement.resources.limits.memory must be a positive Kubernetes quantity such as 256Mi or 1Gi (got 'lots')");
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_scheduler.resources.requests.cpu", "-1")))
        .hasMessageContaining("dapr_scheduler.resources.requests.cpu must be a positive Kubernetes quantity");
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_injector.resources.limits.memory", "1Gi")))
        .hasMessageContaining("unknown configuration setting dapr_injector.resources.limits.memory"); // upstream's name: dapr_sidecar_injector
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_sidecar_injector.resources.limits.memory", "32Mi")))
        .hasMessageContaining("must be at least 64Mi");
    assertThatThrownBy(() -> DaprSettings.parse(Map.of("dapr_dashboard.resources.limits.memory", "256Mi",
        "dapr_dashboard.resources.requests.memory", "1Gi")))
        .hasMessageContaining("dapr_dashboard.resources.requests.memory (1Gi) is above dapr_dashboard.resources.limits.memory (256Mi)");
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
  }
}
