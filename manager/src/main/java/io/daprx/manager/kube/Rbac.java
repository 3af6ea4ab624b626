package io.daprx.manager.kube;

import io.daprx.common.dapr.ResourceKind;
import io.daprx.manager.model.Component;
import io.daprx.manager.model.ControlPlane;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Service accounts and their rights, per component, with upstream Dapr's object names and rules (its
 * {@code dapr_rbac} chart, cluster-wide flavour); where our components call more than upstream's do, the
 * extra rule says why.
 */
final class Rbac {

  /** Every Dapr resource type (1.18's mcpservers and workflowaccesspolicies included): what the operator and dashboard read. */
  static final List<String> DAPR_PLURALS = Arrays.stream(ResourceKind.values()).map(ResourceKind::plural).toList();

  private Rbac() {}

  /** The identities and rights of the components the install runs. */
  static List<HasMetadata> all(InstallSpec spec) {
    List<HasMetadata> out = new ArrayList<>();
    ControlPlane.installed(spec.settings()).forEach(c -> out.addAll(of(c, spec)));
    return out;
  }

  /** A component's identity and rights; every component of the table has an entry here. */
  static List<HasMetadata> of(Component c, InstallSpec spec) {
    return switch (c.name()) {
      case "sentry" -> sentry(spec);
      case "operator" -> operator(spec);
      case "placement" -> placement(spec);
      case "scheduler" -> scheduler(spec);
      case "injector" -> injector(spec);
      case "dashboard" -> dashboard(spec);
      default -> throw new IllegalStateException("no Kubernetes rights for component " + c.name());
    };
  }

  static List<HasMetadata> sentry(InstallSpec spec) {
    Component c = ControlPlane.SENTRY;
    return bundle(c, spec, c.serviceAccount(), List.of(
            rule("authentication.k8s.io", "tokenreviews", "create"),
            // our Kubernetes validator checks the pod's service account and app-id annotation, and its Configuration;
            // sentry watches daprsystem for its certificate TTL and clock skew
            rule("", "pods", "get"),
            rule("dapr.io", "configurations", "get", "list", "watch")),
        c.serviceAccount(), List.of(
            // only the objects the install renders: sentry fills them, it never needs to create one
            named(rule("", "secrets", "get", "update", "patch"), Pods.TRUST_BUNDLE),
            named(rule("", "configmaps", "get", "update", "patch"), Pods.TRUST_BUNDLE)));
  }

  static List<HasMetadata> operator(InstallSpec spec) {
    Component c = ControlPlane.OPERATOR;
    return bundle(c, spec, "dapr-operator-admin", List.of(
            rule("apiextensions.k8s.io", "customresourcedefinitions", "get", "patch"),
            rules("apps", List.of("deployments", "deployments/finalizers"), "get", "list", "watch"),
            rules("apps", List.of("statefulsets", "statefulsets/finalizers"), "get", "list", "watch"),
            rule("", "pods", "get", "list", "delete", "watch", "patch"),
            // delete beyond upstream: the operator removes <app-id>-dapr when a workload drops dapr.io/enabled
            rules("", List.of("services", "services/finalizers"), "get", "list", "watch", "update", "create", "delete"),
            rule("", "secrets", "get", "list", "watch"),
            rules("dapr.io", DAPR_PLURALS, "get", "list", "watch")),
        c.serviceAccount(), List.of(
            // patch beyond upstream: fabric8's leader elector renews the Lease with a PATCH where client-go PUTs; without
            // it a real API server refuses every renewal and the leader drops its controllers every few seconds
            named(rule("coordination.k8s.io", "leases", "get", "list", "watch", "update", "patch", "create"), "operator.dapr.io",
                "webhooks.dapr.io"),
            named(rule("", "configmaps", "get", "list", "watch", "update", "create"), "operator.dapr.io", "webhooks.dapr.io"),
            // create cannot be limited by name: the API server does not know the name when it authorizes
            rule("coordination.k8s.io", "leases", "create"),
            rules("", List.of("configmaps", "events"), "create")));
  }

  /** Placement asks nothing of the API server; the empty role keeps upstream's object set. */
  static List<HasMetadata> placement(InstallSpec spec) {
    Component c = ControlPlane.PLACEMENT;
    return bundle(c, spec, c.serviceAccount(), List.of(), null, List.of());
  }

  /** The scheduler watches namespaces: when one is deleted, its jobs and reminders go with it (upstream's rule). */
  static List<HasMetadata> scheduler(InstallSpec spec) {
    Component c = ControlPlane.SCHEDULER;
    return bundle(c, spec, c.serviceAccount(), List.of(rule("", "namespaces", "get", "list", "watch")), null, List.of());
  }

  static List<HasMetadata> injector(InstallSpec spec) {
    Component c = ControlPlane.INJECTOR;
    return bundle(c, spec, c.serviceAccount(), List.of(
            rule("", "serviceaccounts", "get", "list", "watch"),
            rules("dapr.io", List.of("configurations", "components"), "get", "list"),
            // the injector keeps its webhook's caBundle equal to sentry's trust anchors
            named(rule("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get", "patch"), InjectorWebhook.NAME)),
        c.serviceAccount(), List.of(
            named(rule("", "secrets", "get"), Pods.TRUST_BUNDLE)));
  }

  /**
   * Exactly what the dashboard reads (it never writes, and never reads a Secret): pods and dapr-enabled workloads in
   * every namespace, the Dapr resources, and in its own namespace the trust bundle's and the extension's ConfigMaps.
   */
  static List<HasMetadata> dashboard(InstallSpec spec) {
    Component c = ControlPlane.DASHBOARD;
    return bundle(c, spec, c.serviceAccount(), List.of(
            rule("", "pods", "list"),
            rules("apps", List.of("deployments", "statefulsets"), "list"),
            rules("dapr.io", DAPR_PLURALS, "list")),
        c.serviceAccount(), List.of(
            named(rule("", "configmaps", "get"), Pods.TRUST_BUNDLE, "daprx-extension")));
  }

  /** ServiceAccount, ClusterRole + binding, and (when {@code roleName} is set) a namespaced Role + binding. */
  private static List<HasMetadata> bundle(Component c, InstallSpec spec, String clusterRoleName, List<PolicyRule> clusterRules,
      String roleName, List<PolicyRule> roleRules) {
    List<HasMetadata> out = new ArrayList<>();
    out.add(new ServiceAccountBuilder().withMetadata(Pods.meta(c.serviceAccount(), c, spec)).build());
    out.add(new ClusterRoleBuilder()
        .withNewMetadata().withName(clusterRoleName).withLabels(Pods.labels(c, spec)).endMetadata()
        .withRules(clusterRules).build());
    out.add(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName(clusterRoleName).withLabels(Pods.labels(c, spec)).endMetadata()
        .addNewSubject().withKind("ServiceAccount").withName(c.serviceAccount()).withNamespace(spec.namespace()).endSubject()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(clusterRoleName).endRoleRef()
        .build());
    if (roleName != null) {
      out.add(new RoleBuilder().withMetadata(Pods.meta(roleName, c, spec)).withRules(roleRules).build());
      out.add(new RoleBindingBuilder()
          .withMetadata(Pods.meta(roleName, c, spec))
          .addNewSubject().withKind("ServiceAccount").withName(c.serviceAccount()).withNamespace(spec.namespace()).endSubject()
          .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(roleName).endRoleRef()
          .build());
    }
    return out;
  }

  private static PolicyRule rule(String group, String resource, String... verbs) {
    return rules(group, List.of(resource), verbs);
  }

  private static PolicyRule rules(String group, List<String> resources, String... verbs) {
    return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(verbs).build();
  }

  private static PolicyRule named(PolicyRule rule, String... names) {
    return new PolicyRuleBuilder(rule).withResourceNames(names).build();
  }
}
