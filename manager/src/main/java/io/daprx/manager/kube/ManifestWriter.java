package io.daprx.manager.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/** Text forms of rendered objects, as {@code helm template} and {@code kubectl apply -f} use them. */
public final class ManifestWriter {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private ManifestWriter() {}

  /** One YAML document per object, each starting with {@code ---}. */
  public static String yaml(List<? extends HasMetadata> objects) {
    StringBuilder sb = new StringBuilder();
    for (HasMetadata o : objects) {
      String doc = SERIALIZATION.asYaml(o);
      if (!doc.startsWith("---")) {
        sb.append("---\n");
      }
      sb.append(doc);
      if (!doc.endsWith("\n")) {
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** A {@code v1 List} holding the objects in order: one JSON document that kubectl applies as a whole. */
  public static String json(List<? extends HasMetadata> objects) {
    return SERIALIZATION.asJson(new KubernetesListBuilder().withItems(List.copyOf(objects)).build()) + "\n";
  }
}
