package io.daprx.common.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedYamlTest {

  @TempDir
  Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void documentsAreReadInOrderWithEmptyOnesKeptAsNull() {
    var docs = BoundedYaml.documents(bytes("a: 1\n---\n---\nb: [x, y]\n"));
    assertThat(docs).hasSize(3);
    assertThat(docs.get(1).isNull()).isTrue();
    assertThat(docs.get(0).path("a").asInt()).isEqualTo(1);
    assertThat(docs.get(2).path("b").get(1).asText()).isEqualTo("y");
  }

  @Test
  void aFifteenMegabyteTokenIsRefusedAtOnceNotScannedForMinutes() {
    // one long token: SnakeYAML's scan of it is quadratic, and its own code-point limit is checked only after it
    byte[] yaml = bytes("a: x" + "'".repeat(15 * 1024 * 1024) + "\n");
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(() -> BoundedYaml.documents(yaml))
        .isInstanceOfSatisfying(BoundedYaml.Invalid.class, e -> assertThat(e.tooLarge()).isTrue())
        .hasMessageStartingWith("the YAML is 15,728,645 bytes, over 1 MiB"));
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeItIsReadAndAStreamIsNotReadPastIt() throws Exception {
    Path big = dir.resolve("big.yaml");
    try (var ch = Files.newByteChannel(big, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      ch.position(50L * 1024 * 1024).write(java.nio.ByteBuffer.wrap(bytes("\n"))); // 50 MB, sparse
    }
    assertThatThrownBy(() -> BoundedYaml.readFile(big)).isInstanceOfSatisfying(BoundedYaml.Invalid.class, e -> assertThat(e.tooLarge()).isTrue())
        .hasMessage("big.yaml is 52,428,801 bytes, over 1 MiB, the limit of a file of resources; split it into smaller files, and"
            + " keep large values (certificates, data) out of resources, e.g. in a secret store");
    assertThatThrownBy(() -> BoundedYaml.read(new ByteArrayInputStream(new byte[BoundedYaml.MAX_FILE_BYTES + 1]), "standard input"))
        .hasMessageStartingWith("standard input is larger than 1 MiB");
  }

  @Test
  void deepNestingIsRefusedWithAShortMessage() {
    assertThatThrownBy(() -> BoundedYaml.documents(bytes("a: " + "[".repeat(100) + "]".repeat(100) + "\n")))
        .hasMessage("document 1 is not valid YAML: it nests deeper than 64 levels");
  }

  @Test
  void syntaxErrorsNameTheLineButNeverQuoteTheText() {
    assertThatThrownBy(() -> BoundedYaml.documents(bytes("ok: 1\n---\npassword: s3cret\n  : [\n")))
        .isInstanceOfSatisfying(BoundedYaml.Invalid.class, e -> assertThat(e.document()).isEqualTo(2))
        .hasMessageContaining("line ").hasMessageNotContaining("s3cret");
  }
}
