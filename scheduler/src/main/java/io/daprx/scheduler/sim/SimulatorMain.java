package io.daprx.scheduler.sim;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.proto.scheduler.v1.DeleteByMetadataRequest;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.ScheduleJobRequest;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Simulated sidecars against a running scheduler, as a user tool: connects {@code --apps} apps (each hosting an actor
 * type), has each schedule {@code --jobs} Jobs API jobs and {@code --reminders} actor reminders on {@code --schedule},
 * then prints every few seconds how many triggers arrived and were answered (a share failed on purpose with
 * {@code --fail-rate}). The jobs stay behind when it stops (look at them with {@code daprx scheduler list}) unless
 * {@code --cleanup}.
 *
 * <pre>
 * java -cp daprx.jar io.daprx.scheduler.sim.SimulatorMain --address 127.0.0.1:50006 [--apps 3] [--namespace sim] \
 *     [--jobs 5] [--reminders 5] [--schedule "@every 5s"] [--fail-rate 0.1] [--seconds 60] \
 *     [--tls --sentry-address 127.0.0.1:50001 --trust-anchors-file ca.crt [--trust-domain cluster.local] [--control-plane-namespace dapr-system]]
 * </pre>
 */
public final class SimulatorMain {

  private SimulatorMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    List<String> seeds = List.of(opts.getOrDefault("address", "127.0.0.1:50006").split(","));
    int apps = Integer.parseInt(opts.getOrDefault("apps", "3"));
    String ns = opts.getOrDefault("namespace", "sim");
    int jobs = Integer.parseInt(opts.getOrDefault("jobs", "5"));
    int reminders = Integer.parseInt(opts.getOrDefault("reminders", "5"));
    String schedule = opts.getOrDefault("schedule", "@every 5s");
    double failRate = Double.parseDouble(opts.getOrDefault("fail-rate", "0"));
    long seconds = Long.parseLong(opts.getOrDefault("seconds", "0"));
    if (failRate < 0 || failRate > 1) {
      throw new IllegalArgumentException("--fail-rate is a share between 0 and 1, got " + failRate);
    }
    PrintStream out = System.out;
    AtomicLong failed = new AtomicLong();
    Function<WatchJobsResponse, Answer> answers = t -> {
      if (ThreadLocalRandom.current().nextDouble() < failRate) {
        failed.incrementAndGet();
        return Answer.FAILED;
      }
      return Answer.SUCCESS;
    };
    try (AppFleet fleet = new AppFleet(seeds, channels(opts), answers, d -> { }, Clock.systemUTC())) {
      List<AppSpec> specs = new ArrayList<>();
      for (int i = 0; i < apps; i++) {
        AppSpec spec = AppSpec.of(ns, "sim-app-" + i, "SimActor" + i);
        specs.add(spec);
        fleet.connect(spec);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!fleet.allConnected()) {
        if (System.nanoTime() > deadline) {
          out.println("not every app could open its streams within 30 s; is the scheduler at " + seeds + "?");
          return;
        }
        Thread.sleep(20); // a command-line tool polling a condition, not a test
      }
      out.printf("%d apps connected to %s%n", apps, fleet.apps().get(0).hosts());
      for (AppSpec spec : specs) {
        var stub = SchedulerGrpc.newBlockingStub(fleet.channel(spec));
        Job job = Job.newBuilder().setSchedule(schedule).build();
        for (int j = 0; j < jobs; j++) {
          stub.withDeadlineAfter(10, TimeUnit.SECONDS).scheduleJob(ScheduleJobRequest.newBuilder().setName("sim-job-" + j)
              .setMetadata(spec.jobMetadata()).setJob(job).setOverwrite(true).build());
        }
        for (int r = 0; r < reminders; r++) {
          String type = reminderType(specs, spec);
          stub.withDeadlineAfter(10, TimeUnit.SECONDS).scheduleJob(ScheduleJobRequest.newBuilder().setName("sim-reminder-" + r)
              .setMetadata(spec.reminderMetadata(type, "actor-" + r)).setJob(job).setOverwrite(true).build());
        }
      }
      out.printf("scheduled %d jobs and %d reminders per app on '%s'%n", jobs, reminders, schedule);
      long end = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(5_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        out.printf("triggers received %d (answered FAILED on purpose %d); protocol violations %s%n", fleet.received(),
            failed.get(), fleet.violations().isEmpty() ? "none" : fleet.violations());
      }
      if (opts.containsKey("cleanup")) {
        for (AppSpec spec : specs) {
          var stub = SchedulerGrpc.newBlockingStub(fleet.channel(spec)).withDeadlineAfter(10, TimeUnit.SECONDS);
          stub.deleteByMetadata(DeleteByMetadataRequest.newBuilder().setMetadata(spec.jobMetadata()).build());
          for (int r = 0; r < reminders; r++) {
            stub.deleteByMetadata(DeleteByMetadataRequest.newBuilder()
                .setMetadata(spec.reminderMetadata(reminderType(specs, spec), "actor-" + r)).build());
          }
        }
        out.println("deleted the jobs and reminders the simulated apps made");
      }
    }
  }

  /** A reminder belongs to its actor: the one app {@code spec} makes fires on the next app's host. */
  private static String reminderType(List<AppSpec> specs, AppSpec spec) {
    return specs.get((specs.indexOf(spec) + 1) % specs.size()).actorTypes().get(0);
  }

  private static Function<String, SidecarChannels> channels(Map<String, String> opts) throws Exception {
    if (!opts.containsKey("tls")) {
      return a -> SidecarChannels.plaintext(a, 1, true);
    }
    String td = opts.getOrDefault("trust-domain", "cluster.local");
    String cpNs = opts.getOrDefault("control-plane-namespace", "dapr-system");
    String sentry = opts.getOrDefault("sentry-address", "127.0.0.1:50001");
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(Path.of(require(opts, "trust-anchors-file"))));
    return a -> SidecarChannels.mtls(a, SpiffeId.of(td, cpNs, "dapr-scheduler"), sentry, SpiffeId.of(td, cpNs, "dapr-sentry"),
        anchors, KeyAlgorithm.ED25519, Clock.systemUTC());
  }

  private static String require(Map<String, String> opts, String key) {
    String v = opts.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required with --tls");
    }
    return v;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String key = a.substring(2);
      if (key.equals("tls") || key.equals("cleanup")) {
        out.put(key, "true");
      } else if (i + 1 < args.length) {
        out.put(key, args[++i]);
      } else {
        throw new IllegalArgumentException(a + " needs a value");
      }
    }
    return out;
  }
}
