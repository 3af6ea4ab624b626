package io.daprx.scheduler;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * One scheduler replica as its own process, for the tests that kill replicas: {@code id grpcPort cluster dataDir},
 * plaintext on loopback. Prints {@code READY} once it serves.
 */
public final class ReplicaMain {

  private ReplicaMain() {}

  public static void main(String[] args) throws InterruptedException {
    SchedulerOptions options = SchedulerOptions.defaults()
        .withTls(false, null, null)
        .withListenAddress("127.0.0.1")
        .withPorts(Integer.parseInt(args[1]), 0, -1)
        .withCluster(args[0], SchedulerOptions.parseInitialCluster(args[2]), Path.of(args[3]));
    Scheduler scheduler = new Scheduler(options, Clock.systemUTC()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(scheduler::close));
    System.out.println("READY " + scheduler.port());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
