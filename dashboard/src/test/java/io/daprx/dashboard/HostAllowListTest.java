package io.daprx.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.dashboard.source.ClusterSource;
import io.daprx.dashboard.source.Snapshot;
import io.daprx.common.dapr.ResourceKind;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a web page the user visits points its own name at 127.0.0.1 and reads the dashboard's API with the
 * browser. The browser then sends that page's name as {@code Host}; the dashboard answers only to its own names.
 */
class HostAllowListTest {

  Dashboard dashboard;

  static final class EmptySource implements ClusterSource {
    @Override
    public Snapshot snapshot() {
      return new Snapshot(List.of(), null, null, null, null, List.of());
    }

    @Override
    public List<JsonNode> resources(ResourceKind kind, String namespace) {
      return List.of();
    }
  }

  Dashboard start(List<String> extraHosts) {
    DashboardOptions options = DashboardOptions.defaults().withPort("127.0.0.1", 0).withAllowedHosts(extraHosts);
    dashboard = new Dashboard(options, Clock.systemUTC(), EmptySource::new).start();
    return dashboard;
  }

  @AfterEach
  void stop() {
    if (dashboard != null) {
      dashboard.close();
    }
  }

  /** A raw request: Java's HttpClient does not let a caller choose the Host header, a browser's page effectively does. */
  String get(String path, String host) throws Exception {
    try (Socket s = new Socket("127.0.0.1", dashboard.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  @Test
  void aForeignHostIsRefusedAndLoopbackNamesAreServed() throws Exception {
    start(List.of());
    int port = dashboard.port();
    String rebound = get("/api/controlplane", "attacker.example:" + port);
    assertThat(status(rebound)).isEqualTo(421);
    assertThat(rebound).contains("attacker.example").contains("--allowed-host").doesNotContain("Exception");
    assertThat(status(get("/controlplane", "evil.test"))).isEqualTo(421);

    for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LOCALHOST", "127.0.0.1")) {
      assertThat(status(get("/api/controlplane", host))).as(host).isEqualTo(200);
    }
    // kubelet probes name the pod's IP: health answers any Host
    assertThat(status(get("/healthz", "10.1.2.3:8080"))).isEqualTo(204);
  }

  @Test
  void namesGivenWithTheFlagAreServedToo() throws Exception {
    start(List.of("dashboard.example.com"));
    assertThat(status(get("/api/controlplane", "dashboard.example.com"))).isEqualTo(200);
    assertThat(status(get("/api/controlplane", "Dashboard.Example.com:443"))).isEqualTo(200);
    assertThat(status(get("/api/controlplane", "other.example.com"))).isEqualTo(421);
  }
}
