package io.daprx.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.manager.ManagerServer;
import io.daprx.manager.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the CLI finds or starts the local management server. */
class ConnectionTest {

  @TempDir
  Path home;

  @Test
  void aServerTheCliCannotRecogniseKeepsItsServerFileAndTheOneStartedBesideItIsRefused() throws Exception {
    ManagerServer running = new ManagerServer(ServerOptions.defaults(home, List.of("true")), Clock.systemUTC()).start();
    try {
      String recorded = Files.readString(home.resolve("server.json"));
      // without its token file the CLI cannot use the running server, and so starts one of its own
      Files.delete(home.resolve("token"));

      assertThatThrownBy(() -> Connection.connect(new ClientHome(home), Map.of(), m -> { }, m -> { }))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited at start");

      assertThat(Files.readString(home.resolve("server.log"))).contains("another daprx server (pid " + ProcessHandle.current().pid() + ")");
      // still how the running server is found, and stopped
      assertThat(Files.readString(home.resolve("server.json"))).isEqualTo(recorded);
    } finally {
      running.close();
    }
  }
}
