package io.daprx.manager;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A management server in a child JVM, as {@code daprx server} runs it: {@code ServerHost <home>} starts, prints {@code started}, waits. */
public final class ServerHost {

  private ServerHost() {}

  public static void main(String[] args) throws Exception {
    new ManagerServer(ServerOptions.defaults(Path.of(args[0]), List.of("true")), Clock.systemUTC()).start();
    System.out.println("started");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
