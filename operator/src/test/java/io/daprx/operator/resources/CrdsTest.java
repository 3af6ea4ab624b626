package io.daprx.operator.resources;

import io.daprx.common.dapr.ResourceKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.operator.crds.Crds;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The CRDs in the jar: valid apiextensions.k8s.io/v1 objects, one per served kind, as the operator reads them. */
class CrdsTest {

  @Test
  void everyServedKindHasANamespacedCrdWhoseStorageVersionIsTheServedOne() {
    assertThat(Crds.all()).hasSize(ResourceKind.values().length);
    for (ResourceKind kind : ResourceKind.values()) {
      CustomResourceDefinition crd = Serialization.unmarshal(Crds.yaml(kind.plural() + ".dapr.io"), CustomResourceDefinition.class);
      assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
      assertThat(crd.getMetadata().getName()).isEqualTo(kind.plural() + "." + ResourceKind.GROUP);
      assertThat(crd.getSpec().getGroup()).isEqualTo(ResourceKind.GROUP);
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getNames().getKind()).isEqualTo(kind.kind());
      assertThat(crd.getSpec().getVersions()).filteredOn(CustomResourceDefinitionVersion::getStorage).singleElement()
          .satisfies(v -> assertThat(v.getName()).isEqualTo(kind.servedVersion()));
      assertThat(crd.getSpec().getVersions()).allSatisfy(v -> {
        assertThat(v.getServed()).isTrue();
        assertThat(v.getSchema().getOpenAPIV3Schema().getType()).isEqualTo("object");
      });
    }
  }

  @Test
  void subscriptionServesBothVersions() {
    CustomResourceDefinition crd = Serialization.unmarshal(Crds.yaml("subscriptions.dapr.io"), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName).containsExactly("v1alpha1", "v2alpha1");
  }
}
