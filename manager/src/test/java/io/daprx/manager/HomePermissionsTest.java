package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new home is readable by its owner only, and so is every file in it that holds a secret. */
class HomePermissionsTest {

  @TempDir
  Path dir;
  ServerHarness servers;

  @AfterEach
  void stop() {
    servers.close();
  }

  @Test
  void aNewHomeIsOwnerOnlyAndSoAreItsSecrets() throws Exception {
    Path home = dir.resolve("user/.daprx");
    servers = new ServerHarness(home);
    servers.start();

    assertThat(ServerHarness.mode(home)).isEqualTo("rwx------");
    for (String secret : new String[] {"token", "reader-token", "secret.key", "daprx.db"}) {
      assertThat(ServerHarness.mode(home.resolve(secret))).as(secret).isEqualTo("rw-------");
    }
  }
}
