package io.daprx.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The desired <app-id>-dapr Service, without a cluster. */
class DaprServiceModelTest {

  private static Deployment deployment(Map<String, String> podAnnotations) {
    return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("shop").withUid("u-1").endMetadata()
        .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
        .withNewTemplate().withNewMetadata().withAnnotations(podAnnotations).endMetadata().endTemplate().endSpec().build();
  }

  @Test
  void truthyEnabledValuesAnyCaseGetAService() {
    for (String v : new String[] {"true", "TRUE", "yes", "y", "on", "1"}) {
      assertThat(DaprServiceModel.desired(deployment(Map.of("dapr.io/enabled", v)))).as(v).isPresent();
    }
    for (String v : new String[] {"false", "no", "0", ""}) {
      assertThat(DaprServiceModel.desired(deployment(Map.of("dapr.io/enabled", v)))).as(v).isEmpty();
    }
    assertThat(DaprServiceModel.desired(deployment(Map.of()))).isEmpty();
  }

  @Test
  void theAppIdDefaultsToTheWorkloadNameAndMetricsAnnotationsFollowThePodTemplate() {
    var svc = DaprServiceModel.desired(deployment(Map.of("dapr.io/enabled", "true", "dapr.io/metrics-port", "9999"))).orElseThrow();
    assertThat(svc.getMetadata().getName()).isEqualTo("web-dapr");
    assertThat(svc.getMetadata().getAnnotations()).containsEntry("prometheus.io/port", "9999");
    assertThat(svc.getSpec().getPorts().get(3).getPort()).isEqualTo(9999);
    var quiet = DaprServiceModel.desired(deployment(Map.of("dapr.io/enabled", "true", "dapr.io/app-id", "shop-web",
        "dapr.io/enable-metrics", "false"))).orElseThrow();
    assertThat(quiet.getMetadata().getName()).isEqualTo("shop-web-dapr");
    assertThat(quiet.getMetadata().getAnnotations()).containsOnlyKeys("dapr.io/app-id");
  }
}
