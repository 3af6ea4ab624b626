package io.daprx.manager.deploy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for {@code daprx <component> [flags]} run by the local target's tests as a real process: it answers
 * {@code /healthz} on every port its flags name, so the supervisor's readiness probes pass, and does nothing else.
 */
public final class FakeComponent {

  private FakeComponent() {}

  public static void main(String[] args) throws Exception {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].startsWith("--") && args[i].endsWith("port") && args[i + 1].matches("\\d{1,5}")) {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[i + 1])), 0);
        server.createContext("/healthz", exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
        server.start();
      }
    }
    System.out.println("serving " + String.join(" ", args));
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
