package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
  void theHomeIsFreeAgainOnceTheServerStopped() throws Exception {
    servers = new ServerHarness(home);
    servers.start().close();
    ManagerServer next = servers.start();
    assertThat(servers.get(next, "/daprx/info", servers.adminBearer()).statusCode()).isEqualTo(200);
  }
}
