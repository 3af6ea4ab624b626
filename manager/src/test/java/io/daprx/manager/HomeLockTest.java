package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One management server per home: a second one is refused before it touches anything of the first. */
class HomeLockTest {

  @TempDir
  Path home;
  ServerHarness servers;

  @AfterEach
  void stop() {
    servers.close();
  }

  @Test
  void aSecondServerOnTheSameHomeIsRefusedAndTheRunningOneKeepsItsServerFile() throws Exception {
    servers = new ServerHarness(home);
    ManagerServer first = servers.start();
    String recorded = Files.readString(servers.options.serverFile());

    assertThatThrownBy(servers::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("another daprx server (pid " + ProcessHandle.current().pid() + ") is using " + home
            + "; stop it with 'daprx server stop' or give this one another --home");

    // the refused server changed nothing: the CLI still finds the running one, which still answers
    assertThat(Files.readString(servers.options.serverFile())).isEqualTo(recorded);
    assertThat(servers.get(first, "/daprx/info", servers.adminBearer()).statusCode()).isEqualTo(200);
  }

  @Test
  void aServerInAnotherProcessHoldsTheHomeUntilItDies() throws Exception {
    servers = new ServerHarness(home);
    Path log = home.resolveSibling(home.getFileName() + ".host.log");
    Process host = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ServerHost.class.getName(), home.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("started") || !host.isAlive());
      assertThat(host.isAlive()).as("the first server runs: %s", Files.readString(log)).isTrue();
      String recorded = Files.readString(servers.options.serverFile());

      assertThatThrownBy(servers::start).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("another daprx server (pid " + host.pid() + ") is using " + home);
      assertThat(Files.readString(servers.options.serverFile())).isEqualTo(recorded);
    } finally {
      host.destroyForcibly();
      host.waitFor();
    }
    // the kernel dropped the dead server's lock: the next server takes the home
    ManagerServer next = servers.start();
    assertThat(servers.get(next, "/daprx/info", servers.adminBearer()).statusCode()).isEqualTo(200);
  }

  @Test
  void theHomeIsFreeAgainOnceTheServerStopped() throws Exception {
    servers = new ServerHarness(home);
    servers.start().close();
    ManagerServer next = servers.start();
    assertThat(servers.get(next, "/daprx/info", servers.adminBearer()).statusCode()).isEqualTo(200);
  }
}
