package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.daprx.cli.client.ClientHome;
import io.daprx.manager.ManagerServer;
import io.daprx.manager.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code daprx server} tells a user whose home it cannot use: one line saying what to do, exit 1, no stack trace. */
class ServerCommandTest {

  @TempDir
  Path home;

  private InProcessCli.Result server() {
    // a server that wrongly starts would block in the foreground: bounded
    return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> InProcessCli.run("server", "--home", home.toString()));
  }

  @Test
  void aDamagedStoreIsOneLineSayingWhatToDo() throws Exception {
    Files.createDirectories(home.resolve("run")); // a server ran here before
    Files.writeString(home.resolve("daprx.db"), "not a database\n".repeat(100));

    InProcessCli.Result r = server();

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("ERROR: the store " + home.resolve("daprx.db")).contains("restore it from a backup")
        .doesNotContain("\tat ").doesNotContain("Exception").hasLineCount(1);
  }

  @Test
  void aSecondServerIsOneLineAndTheFirstKeepsRunning() throws Exception {
    ManagerServer first = new ManagerServer(ServerOptions.defaults(home, List.of("true")), Clock.systemUTC()).start();
    try {
      String recorded = Files.readString(home.resolve("server.json"));

      InProcessCli.Result r = server();

      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err().strip()).isEqualTo("ERROR: another daprx server (pid " + ProcessHandle.current().pid() + ") is using " + home
          + "; stop it with 'daprx server stop' or give this one another --home");
      assertThat(Files.readString(home.resolve("server.json"))).isEqualTo(recorded);
    } finally {
      first.close();
    }
  }

  @Test
  void theCliCreatesANewHomeOwnerOnly() throws Exception {
    Path fresh = home.resolve("user/.daprx");
    new ClientHome(fresh).saveConfig(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
  }
}
