package io.daprx.manager.local;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for a control-plane component, run as a real child process by the supervisor tests: serves
 * {@code /healthz} on {@code --port}, and can exit on its own ({@code --exit-after-ms}, {@code --exit-code}) or
 * linger after SIGTERM ({@code --ignore-sigterm}).
 */
public final class HealthzChild {

  private HealthzChild() {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    long exitAfterMs = -1;
    int exitCode = 0;
    boolean ignoreSigterm = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--exit-after-ms" -> exitAfterMs = Long.parseLong(args[++i]);
        case "--exit-code" -> exitCode = Integer.parseInt(args[++i]);
        case "--ignore-sigterm" -> ignoreSigterm = true;
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (ignoreSigterm) {
      // a shutdown hook that never finishes keeps the JVM alive after SIGTERM, until SIGKILL
      Runtime.getRuntime().addShutdownHook(new Thread(() -> awaitForever()));
    }
    if (port > 0) {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      server.createContext("/healthz", exchange -> {
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      server.start();
    }
    System.out.println("serving pid=" + ProcessHandle.current().pid() + " version=" + System.getenv("VERSION")
        + " at " + Instant.now());
    System.out.flush();
    if (exitAfterMs >= 0) {
      // the fake component's lifetime, not a wait for a condition
      Thread.sleep(exitAfterMs);
      System.exit(exitCode);
    }
    awaitForever();
  }

  private static void awaitForever() {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
