package io.daprx.injector.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestersTest {

  static final List<String> NONE = List.of();

  @Test
  void workloadControllersAndMastersAreAllowed() {
    Requesters r = Requesters.of(NONE);
    for (String c : new String[] {"replicaset", "replication", "deployment", "cronjob", "job", "statefulset", "daemon-set"}) {
      assertThat(r.allowed("system:serviceaccount:kube-system:" + c + "-controller", NONE)).as(c).isTrue();
    }
    assertThat(r.allowed("kubernetes-admin", List.of("system:authenticated", "system:masters"))).isTrue();
    assertThat(r.allowed("alice", List.of("system:authenticated"))).isFalse();
    assertThat(r.allowed("system:serviceaccount:default:default", NONE)).isFalse();
    assertThat(r.allowed("system:serviceaccount:other-ns:deployment-controller", NONE)).isFalse();
  }

  @Test
  void configuredGlobsMatchNamespaceAndNameSeparately() {
    Requesters r = Requesters.of(Requesters.parseList("ci:tekton-*, argo*:argo-workflow?, *:pod-creator,exact:sa"));
    assertThat(r.allowed("system:serviceaccount:ci:tekton-pipelines-controller", NONE)).isTrue();
    assertThat(r.allowed("system:serviceaccount:ci:other", NONE)).isFalse();
    assertThat(r.allowed("system:serviceaccount:argo-prod:argo-workflows", NONE)).as("upstream's prefix form").isTrue();
    assertThat(r.allowed("system:serviceaccount:argo-prod:argo-workflow", NONE)).as("? is exactly one character").isFalse();
    assertThat(r.allowed("system:serviceaccount:anything:pod-creator", NONE)).isTrue();
    assertThat(r.allowed("system:serviceaccount:exact:sa", NONE)).isTrue();
    assertThat(r.allowed("system:serviceaccount:exact:sa2", NONE)).isFalse();
    assertThat(r.allowed("ci:tekton-x", NONE)).as("a user, not a service account").isFalse();
  }

  @Test
  void starDoesNotCrossTheColon() {
    Requesters r = Requesters.of(List.of("team*:builder"));
    assertThat(r.allowed("system:serviceaccount:team-a:builder", NONE)).isTrue();
    assertThat(r.allowed("system:serviceaccount:team-a:x:builder", NONE)).isFalse();
  }

  @Test
  void malformedEntriesAreRefusedWithTheExpectedForm() {
    assertThatThrownBy(() -> Requesters.of(List.of("just-a-name"))).hasMessageContaining("use namespace:name");
    assertThatThrownBy(() -> Requesters.of(List.of("ns:"))).hasMessageContaining("'ns:'");
  }
}
