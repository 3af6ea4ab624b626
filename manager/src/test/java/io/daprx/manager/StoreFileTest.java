package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged or emptied SQLite file in a home that already holds state: one clear message saying what to do, the file
 * left as it is, and never a fresh subscription over clusters that still run.
 */
class StoreFileTest {

  @TempDir
  Path home;
  ServerHarness servers;

  @AfterEach
  void stop() {
    servers.close();
  }

  /** Starts and stops a server, as a user's earlier session did; returns its subscription. */
  private String earlierSession() throws Exception {
    servers = new ServerHarness(home);
    ManagerServer s = servers.start();
    String subscription = new ObjectMapper().readTree(servers.get(s, "/daprx/info", servers.adminBearer()).body()).path("subscription").asText();
    s.close();
    return subscription;
  }

  private Path db() {
    return home.resolve("daprx.db");
  }

  @Test
  void aZeroLengthDatabaseBesideExistingStateIsRefusedNotReplacedByANewSubscription() throws Exception {
    earlierSession();
    Files.write(db(), new byte[0]);

    assertThatThrownBy(servers::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(db().toString())
        .hasMessageContaining("empty")
        .hasMessageContaining("restore")
        .hasMessageContaining("move " + home + " aside");
    assertThat(Files.size(db())).isZero();
    assertThat(servers.options.serverFile()).doesNotExist();
  }

  @Test
  void aMissingDatabaseBesideExistingStateIsRefused() throws Exception {
    earlierSession();
    Files.delete(db());

    assertThatThrownBy(servers::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("restore");
    assertThat(db()).doesNotExist();
  }

  @Test
  void aCorruptDatabaseIsOneClearMessageAndTheFileIsLeftAlone() throws Exception {
    earlierSession();
    byte[] garbage = "this was a database once\n".repeat(400).getBytes(StandardCharsets.UTF_8);
    Files.write(db(), garbage);

    assertThatThrownBy(servers::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(db().toString())
        .hasMessageContaining("not a SQLite database")
        .hasMessageContaining("restore")
        .hasMessageNotContaining("Exception")
        .hasMessageNotContaining("org.");
    assertThat(Files.readAllBytes(db())).isEqualTo(garbage);
  }

  @Test
  void aDatabaseDamagedInsideIsOneClearMessage() throws Exception {
    earlierSession();
    byte[] bytes = Files.readAllBytes(db());
    // keep the header, wreck the pages behind it (the schema among them)
    for (int i = 100; i < bytes.length; i++) {
      bytes[i] = (byte) 0xA5;
    }
    Files.write(db(), bytes);

    assertThatThrownBy(servers::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(db().toString())
        .hasMessageContaining("restore")
        .hasMessageNotContaining("org.");
  }

  @Test
  void aFreshHomeStillStartsWithAFreshStore() throws Exception {
    servers = new ServerHarness(home.resolve("new"));
    ManagerServer s = servers.start();
    assertThat(servers.get(s, "/daprx/info", servers.adminBearer()).statusCode()).isEqualTo(200);
  }
}
