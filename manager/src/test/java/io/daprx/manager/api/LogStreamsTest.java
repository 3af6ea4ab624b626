package io.daprx.manager.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.common.runtime.HttpLimits;
import io.javalin.Javalin;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logs --follow} of a quiet pod over real sockets: an abandoned follow used to hold a server thread forever
 * (about 250 of them exhausted the server); now it ends when its client goes, and follows are capped.
 */
class LogStreamsTest {

  @TempDir
  Path dir;
  Javalin app;
  LogStreams streams;
  final List<Socket> clients = new ArrayList<>();

  void serve(int max) throws Exception {
    Path log = dir.resolve("pod.log");
    Files.writeString(log, "hello from the pod\n");
    streams = new LogStreams(max);
    app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      HttpLimits.api(1_000_000).apply(cfg, "test-http");
    });
    app.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).result(e.code() + ": " + e.getMessage()));
    app.get("/log", ctx -> streams.serve(ctx, log, "true".equals(ctx.queryParam("follow"))));
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket s : clients) {
      s.close();
    }
    if (app != null) {
      app.stop();
    }
  }

  /** Opens a follow and reads until the log's first line arrived, or returns the refusal's status line. */
  String follow() throws Exception {
    Socket s = new Socket("127.0.0.1", app.port());
    clients.add(s);
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write("GET /log?follow=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains("hello from the pod") && !seen.toString().contains("without --follow.")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      seen.append((char) c);
    }
    return seen.toString();
  }

  @Test
  void aFollowEndsWhenItsClientGoesWhileThePodStaysQuiet() throws Exception {
    serve(16);
    for (int i = 0; i < 10; i++) {
      assertThat(follow()).startsWith("HTTP/1.1 200").contains("hello from the pod");
    }
    assertThat(streams.following()).isEqualTo(10);
    for (Socket s : clients) {
      s.close(); // the client goes; the pod writes nothing more
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> streams.following() == 0);
  }

  @Test
  void followsPastTheCapAreRefusedWith429SayingWhatToDo() throws Exception {
    serve(2);
    assertThat(follow()).contains("hello from the pod");
    assertThat(follow()).contains("hello from the pod");
    String third = follow();
    assertThat(third).startsWith("HTTP/1.1 429").contains("--follow");
    // a plain read still works, and a follow is served again once one ended
    try (Socket s = new Socket("127.0.0.1", app.port())) {
      s.getOutputStream().write("GET /log HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200").contains("hello");
    }
    clients.get(0).close();
    await().atMost(Duration.ofSeconds(10)).until(() -> streams.following() == 1);
    assertThat(follow()).contains("hello from the pod");
  }
}
