package io.daprx.manager.kube;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.MappingIterator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads rendered YAML back into fabric8's typed classes, refusing any field the class does not declare.
 * fabric8 models catch unknown fields in an "additionalProperties" any-setter, so that hook is switched off
 * here: a misspelled or misplaced field in a manifest then fails the test instead of vanishing.
 */
final class StrictReader {

  /** The kinds an install may contain and the class each must parse into. */
  static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
      Map.entry("Namespace", Namespace.class),
      Map.entry("CustomResourceDefinition", CustomResourceDefinition.class),
      Map.entry("ServiceAccount", ServiceAccount.class),
      Map.entry("ClusterRole", ClusterRole.class),
      Map.entry("ClusterRoleBinding", ClusterRoleBinding.class),
      Map.entry("Role", Role.class),
      Map.entry("RoleBinding", RoleBinding.class),
      // a Dapr custom resource: no typed class; its fields are checked by the tests that render it
      Map.entry("Configuration", GenericKubernetesResource.class),
      Map.entry("Secret", Secret.class),
      Map.entry("ConfigMap", ConfigMap.class),
      Map.entry("Deployment", Deployment.class),
      Map.entry("StatefulSet", StatefulSet.class),
      Map.entry("Service", Service.class),
      Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("MutatingWebhookConfiguration", MutatingWebhookConfiguration.class));

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper STRICT = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
        @Override
        public Boolean hasAnySetter(Annotated a) {
          return Boolean.FALSE;
        }
      });

  private StrictReader() {}

  /** Every document of a multi-document YAML stream as a JSON tree. */
  static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  /** One document as its kind's class; throws on an unknown kind or an undeclared field. */
  static HasMetadata typed(JsonNode doc) throws IOException {
    String kind = doc.path("kind").asText();
    Class<? extends HasMetadata> type = KINDS.get(kind);
    if (type == null) {
      throw new IllegalArgumentException("unexpected kind '" + kind + "'");
    }
    if (type == GenericKubernetesResource.class) {
      return STRICT.copy().setAnnotationIntrospector(new JacksonAnnotationIntrospector()).treeToValue(doc, type);
    }
    return STRICT.treeToValue(doc, type);
  }
}
