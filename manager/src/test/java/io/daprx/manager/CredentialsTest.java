package io.daprx.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bearer tokens: never so short (or empty) that a guess — or no header at all — gets in. */
class CredentialsTest {

  @TempDir
  Path home;
  ServerHarness servers;

  @AfterEach
  void stop() {
    servers.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"token", "reader-token"})
  void anEmptyTokenFileIsRefusedAtStartInsteadOfTurningAuthenticationOff(String name) throws Exception {
    servers = new ServerHarness(home);
    Path file = home.resolve(name);
    ServerHarness.writeOwnerOnly(file, "\n");

    assertThatThrownBy(servers::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("0 bytes")
        .hasMessageContaining("at least 32")
        .hasMessageContaining("delete it");
    assertThat(servers.options.serverFile()).doesNotExist();
    assertThat(Files.readString(file)).isEqualTo("\n");
  }

  @Test
  void aShortTokenIsRefusedWithoutShowingIt() throws Exception {
    servers = new ServerHarness(home);
    ServerHarness.writeOwnerOnly(home.resolve("token"), "guessable-secret-31-bytes-long!");

    assertThatThrownBy(servers::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("31 bytes")
        .hasMessageNotContaining("guessable");
  }

  @Test
  void aTokenOf32BytesOrMoreIsKept() throws Exception {
    servers = new ServerHarness(home);
    String mine = "0123456789abcdef0123456789abcdef";
    ServerHarness.writeOwnerOnly(home.resolve("token"), mine + "\n");
    ManagerServer server = servers.start();
    assertThat(servers.get(server, "/subscriptions", "Bearer " + mine).statusCode()).isEqualTo(200);
  }

  @Test
  void aMissingOrEmptyCredentialIsRefusedPerRequest() throws Exception {
    servers = new ServerHarness(home);
    ManagerServer server = servers.start();
    Function<String, Integer> status = h -> {
      try {
        HttpResponse<String> r = servers.get(server, "/subscriptions", h);
        assertThat(r.body()).doesNotContain("Exception");
        return r.statusCode();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    assertThat(status.apply(null)).isEqualTo(401);
    assertThat(status.apply("Bearer ")).isEqualTo(401);
    assertThat(status.apply("Bearer    ")).isEqualTo(401);
    assertThat(status.apply("")).isEqualTo(401);
    assertThat(status.apply(servers.adminBearer())).isEqualTo(200);
  }
}
