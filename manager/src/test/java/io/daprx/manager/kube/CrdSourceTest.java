package io.daprx.manager.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrdSourceTest {

  @TempDir
  Path dir;

  @Test
  void classpathSourceReadsTheOperatorsCrdsInApplyOrderAndSkipsMissingOnes() throws Exception {
    Path crds = Files.createDirectories(dir.resolve("io/daprx/operator/crds"));
    Files.writeString(crds.resolve("subscriptions.dapr.io.yaml"), crd("subscriptions", "Subscription"));
    Files.writeString(crds.resolve("components.dapr.io.yaml"), crd("components", "Component"));
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      List<CustomResourceDefinition> read = CrdSource.classpath(loader).crds();
      assertThat(read).extracting(c -> c.getMetadata().getName()).containsExactly("components.dapr.io", "subscriptions.dapr.io");
      assertThat(read.get(0).getSpec().getNames().getKind()).isEqualTo("Component");
    }
  }

  @Test
  void withoutTheOperatorModuleThereAreNoCrds() throws Exception {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertThat(CrdSource.classpath(empty).crds()).isEmpty();
    }
  }

  private static String crd(String plural, String kind) {
    return """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: %1$s.dapr.io
        spec:
          group: dapr.io
          scope: Namespaced
          names:
            kind: %2$s
            plural: %1$s
          versions:
          - name: v1alpha1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
        """.formatted(plural, kind);
  }
}
