package io.daprx.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code daprx apply -f} reads a YAML stream before anything is sent. */
class ApplyDocumentsTest {

  @Test
  void everyDocumentIsTaggedWithWhereItCameFromAndEmptyOnesAreSkipped() {
    List<ObjectNode> docs = ApplyCommand.documents("c.yaml", """
        ---
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: a}
        ---
        ---
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata: {name: b}
        """);
    assertThat(docs).extracting(d -> d.path("metadata").path("name").asText()).containsExactly("a", "b");
    assertThat(docs.get(1).path("_source").asText()).isEqualTo("document 3 of c.yaml");
  }

  @Test
  void aListIsUnpackedAsKubectlDoes() {
    List<ObjectNode> docs = ApplyCommand.documents("-", """
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: dapr.io/v1alpha1, kind: Component, metadata: {name: a}}
        - {apiVersion: dapr.io/v1alpha1, kind: Component, metadata: {name: b}}
        """);
    assertThat(docs).hasSize(2);
    assertThat(docs.get(1).path("_source").asText()).isEqualTo("item 1 of document 1 of -");
  }

  @Test
  void brokenYamlNamesTheLine() {
    assertThatThrownBy(() -> ApplyCommand.documents("c.yaml", "kind: Component\nmetadata: {name: a\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("error parsing c.yaml:").hasMessageContaining("line ");
    assertThatThrownBy(() -> ApplyCommand.documents("c.yaml", "- a\n- b\n"))
        .hasMessage("error parsing c.yaml: document 1 is not an object");
  }
}
