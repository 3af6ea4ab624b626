package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key file that seals protected settings, lost or swapped beside a store that was sealed with it: refused with what to
 * do, never replaced by a new key that leaves every protected setting unreadable.
 */
class SecretKeyFileTest {

  @TempDir
  Path home;
  ServerHarness servers;

  @AfterEach
  void stop() {
    servers.close();
  }

  private Path keyFile() {
    return servers.options.keyFile();
  }

  private void earlierSession() {
    servers = new ServerHarness(home);
    servers.start().close();
  }

  @Test
  void aLostKeyFileIsRefusedAndNoNewKeyIsMade() throws Exception {
    earlierSession();
    Files.delete(keyFile());

    assertThatThrownBy(servers::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(keyFile().toString()).hasMessageContaining("missing").hasMessageContaining("restore");
    assertThat(keyFile()).as("no new key over a store sealed with the old one").doesNotExist();
    assertThat(servers.options.serverFile()).doesNotExist();
  }

  @Test
  void anotherKeyFileIsRefusedAndLeftAsItIs() throws Exception {
    earlierSession();
    String other = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    Files.writeString(keyFile(), other);

    assertThatThrownBy(servers::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not the one this store's protected settings were sealed with").hasMessageNotContaining(other);
    assertThat(Files.readString(keyFile())).isEqualTo(other);
  }

  @Test
  void theSameKeyStartsAgain() throws Exception {
    earlierSession();
    servers.start().close();
  }
}
