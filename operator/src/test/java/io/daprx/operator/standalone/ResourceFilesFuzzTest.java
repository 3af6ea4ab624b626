package io.daprx.operator.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.daprx.operator.resources.Resource;
import java.io.IOException;

/**
 * Whatever a resource file holds, the standalone operator reads its Dapr resources or refuses the file with an
 * {@link IllegalArgumentException} that names the document and the problem: never another exception (the reload loop
 * must not die on a file), never a hang. An error caught from our own code must not pass for "not valid YAML": its cause
 * is the parser's. Seeds in {@code ResourceFilesFuzzTestInputs}.
 */
class ResourceFilesFuzzTest {

  @FuzzTest
  // no newlines in entries: libFuzzer's dictionary file is one entry a line
  @DictionaryEntries({"apiVersion: dapr.io/v1alpha1", "apiVersion: dapr.io/v2alpha1", "kind: Component",
      "kind: Subscription", "kind: HTTPEndpoint", "metadata:", "  name: ", "  namespace: ", "scopes:", "spec:",
      "route:", "secretKeyRef:", "kind: MCPServer", "endpoint:", "stdio:", "env:", "headers:", "streamableHTTP:", "---", "&a ", "*a", "!!binary ", "? "})
  void everyFileIsReadOrRefusedWithItsDocument(byte[] content) {
    try {
      for (Resource r : ResourceFiles.parse(content)) {
        assertThat(r.name()).isNotEmpty();
        assertThat(r.namespace()).isNotEmpty();
        assertThat(r.raw().path("metadata").path("namespace").asText()).isEqualTo(r.namespace());
      }
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("document ");
      if (e.getMessage().contains(" is not valid YAML: ")) {
        assertThat(e.getCause()).isInstanceOf(IOException.class);
      }
    }
  }
}
