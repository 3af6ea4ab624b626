package io.daprx.manager.deploy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for {@code daprx <component> [flags]} run by the local target's tests as a real process: it answers
 * {@code /healthz} on every port its flags name, so the supervisor's readiness probes pass, and does nothing else. A
 * component given {@code --sentry-address} first logs whether sentry answered there when it started, as the real ones
 * need it to; the component named by the system property {@code fake.fail} exits at once, as a broken release would.
 */
public final class FakeComponent {

  private FakeComponent() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(System.getProperty("fake.fail"))) {
      System.out.println(args[0] + " fails to start");
      System.exit(1);
    }
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--sentry-address")) {
        System.out.println("sentry answered at start: " + answers(args[i + 1]));
      }
    }
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

  private static boolean answers(String hostPort) {
    try {
      java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create("http://" + hostPort + "/healthz").toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      return c.getResponseCode() == 200;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
