package io.daprx.manager.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for the management server, run as a child JVM so a test can kill it with SIGKILL:
 * {@code SupervisorHost <stateDir> <group> <specs.json>} applies the specs, prints {@code applied}, and waits.
 */
public final class SupervisorHost {

  private SupervisorHost() {}

  public static void main(String[] args) throws Exception {
    ProcessSpec[] specs = new ObjectMapper().readValue(Path.of(args[2]).toFile(), ProcessSpec[].class);
    Supervisor supervisor = new Supervisor(Path.of(args[0]), Clock.systemUTC(), SupervisorSettings.defaults());
    supervisor.apply(args[1], List.of(specs));
    System.out.println("applied");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
