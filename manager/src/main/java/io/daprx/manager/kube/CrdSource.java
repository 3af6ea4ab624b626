package io.daprx.manager.kube;

import io.daprx.common.dapr.ResourceKind;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Where the Dapr CRDs of an install come from: the operator module's resources, or a fixed list in tests. */
@FunctionalInterface
public interface CrdSource {

  /** Where the operator module keeps its CRDs, one {@code <plural>.dapr.io.yaml} file each. */
  String CLASSPATH_DIR = "io/daprx/operator/crds/";

  /** The CRDs of WIRE.md, one per {@link ResourceKind} in the order they are applied. */
  List<String> NAMES = Arrays.stream(ResourceKind.values()).map(k -> k.plural() + "." + ResourceKind.GROUP).toList();

  List<CustomResourceDefinition> crds();

  static CrdSource none() {
    return List::of;
  }

  /**
   * The CRDs found on the class path; a missing file is skipped, so a build without the operator module renders
   * no CRDs rather than failing.
   */
  static CrdSource classpath(ClassLoader loader) {
    return () -> {
      KubernetesSerialization serialization = new KubernetesSerialization();
      List<CustomResourceDefinition> out = new ArrayList<>();
      for (String name : NAMES) {
        String path = CLASSPATH_DIR + name + ".yaml";
        try (InputStream in = loader.getResourceAsStream(path)) {
          if (in != null) {
            out.add(serialization.unmarshal(in, CustomResourceDefinition.class));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read CRD " + path + ": " + e.getMessage(), e);
        }
      }
      return out;
    };
  }
}
