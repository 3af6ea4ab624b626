package io.daprx.manager.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor against real child JVMs on loopback. */
class SupervisorTest {

  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
  private static final Pattern RESTART_MARKER = Pattern.compile("--- restarted \\((.*)\\) at (\\S+) ---");
  private static final Pattern SERVING = Pattern.compile("serving pid=\\d+ version=(\\S+) at (\\S+)");
  private static final String G = "local-1";

  @TempDir
  Path tmp;

  private final List<Supervisor> supervisors = new ArrayList<>();
  private final List<Long> grandchildren = new ArrayList<>();

  @AfterEach
  void stopEverything() {
    for (Supervisor s : supervisors) {
      s.close();
    }
    // adopted or orphaned test children are still children of this JVM, except those of a killed host
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    grandchildren.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void threeReplicasBecomeReadyAndAKilledOneIsRestartedAlone() throws IOException {
    Supervisor sup = supervisor(settings());
    sup.apply(G, List.of(served("dapr-sentry-0", "sentry"), served("dapr-sentry-1", "sentry"),
        served("dapr-sentry-2", "sentry")));

    assertThat(sup.status(G)).extracting(PodStatus::status).containsOnly(PodStatus.RUNNING);
    assertThat(sup.status(G)).extracting(PodStatus::pid).doesNotContainNull();
    waiting().until(() -> sup.allReady(G));
    List<PodStatus> before = sup.status(G);

    ProcessHandle.of(before.get(1).pid()).orElseThrow().destroyForcibly();

    waiting().until(() -> {
      PodStatus p = pod(sup, "dapr-sentry-1");
      return p.restarts() == 1 && p.ready() && !p.pid().equals(before.get(1).pid());
    });
    PodStatus restarted = pod(sup, "dapr-sentry-1");
    assertThat(restarted.lastExitReason()).isEqualTo("killed by signal 9");
    assertThat(restarted.createdAt()).isEqualTo(before.get(1).createdAt());
    for (int i : new int[] {0, 2}) {
      assertThat(sup.status(G).get(i)).isEqualTo(before.get(i));
    }
    assertThat(Files.readString(logOf("dapr-sentry-1"))).contains("--- restarted (exit code 137) at ");
  }

  @Test
  void aCrashingProcessBacksOffLongerEachTime() throws IOException {
    Supervisor sup = supervisor(settings());
    ProcessSpec crasher = spec("dapr-placement-0", "placement", null, "--exit-after-ms", "0", "--exit-code", "3");
    sup.apply(G, List.of(crasher));

    waiting().until(() -> pod(sup, "dapr-placement-0").status().equals(PodStatus.CRASH_LOOP_BACK_OFF));
    waiting().atMost(Duration.ofSeconds(30)).until(() -> pod(sup, "dapr-placement-0").restarts() >= 4);

    assertThat(pod(sup, "dapr-placement-0").lastExitReason()).isEqualTo("exit code 3");
    // each child exits right after saying it serves, so serving -> next restart marker is the back-off
    List<Duration> backoffs = new ArrayList<>();
    Instant served = null;
    for (String line : Files.readAllLines(logOf("dapr-placement-0"))) {
      Matcher serving = SERVING.matcher(line);
      Matcher restarted = RESTART_MARKER.matcher(line);
      if (serving.find()) {
        served = Instant.parse(serving.group(2));
      } else if (restarted.find() && served != null) {
        assertThat(restarted.group(1)).isEqualTo("exit code 3");
        backoffs.add(Duration.between(served, Instant.parse(restarted.group(2))));
      }
    }
    assertThat(backoffs).hasSizeGreaterThanOrEqualTo(4);
    // nominally 0.2, 0.4, 0.8, 1.6 s, plus however long a loaded machine takes a JVM to exit
    assertThat(backoffs.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(backoffs.get(3)).isGreaterThan(backoffs.get(0).plusMillis(700));
  }

  @Test
  void aPodNoLongerDesiredIsStoppedAndTheOthersAreUntouched() {
    Supervisor sup = supervisor(settings());
    List<ProcessSpec> three = List.of(spec("dapr-operator-0", "operator", null),
        spec("dapr-operator-1", "operator", null), spec("dapr-operator-2", "operator", null));
    sup.apply(G, three);
    waiting().until(() -> sup.allReady(G));
    List<PodStatus> before = sup.status(G);

    sup.apply(G, three.subList(0, 2));

    // apply returns once removed processes have exited
    assertThat(ProcessHandle.of(before.get(2).pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(sup.status(G)).containsExactlyElementsOf(before.subList(0, 2));
    assertThat(sup.allReady(G)).isTrue();
  }

  @Test
  void aChangedSpecReplacesPodsOneAtATimeEachAfterThePreviousIsReady() throws IOException {
    Supervisor sup = supervisor(settings());
    int[] ports = {freePort(), freePort(), freePort()};
    ProcessSpec placement = served("dapr-placement-0", "placement");
    sup.apply(G, List.of(placement, sentry(0, ports[0], "1"), sentry(1, ports[1], "1"), sentry(2, ports[2], "1")));
    waiting().until(() -> sup.allReady(G));
    Map<String, PodStatus> before = byName(sup.status(G));

    sup.apply(G, List.of(placement, sentry(0, ports[0], "2"), sentry(1, ports[1], "2"), sentry(2, ports[2], "2")));

    waiting().atMost(Duration.ofSeconds(30)).until(() -> sup.allReady(G));
    Map<String, PodStatus> after = byName(sup.status(G));
    assertThat(after.get("dapr-placement-0")).isEqualTo(before.get("dapr-placement-0"));
    for (int i = 0; i < 3; i++) {
      String name = "dapr-sentry-" + i;
      assertThat(after.get(name).pid()).isNotEqualTo(before.get(name).pid());
      assertThat(after.get(name).restarts()).isZero();
      assertThat(ProcessHandle.of(before.get(name).pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
    // each replacement began only after the previous new process was serving
    for (int i = 1; i < 3; i++) {
      Instant previousServing = servingAt(logOf("dapr-sentry-" + (i - 1)), "2");
      assertThat(after.get("dapr-sentry-" + i).createdAt()).isAfterOrEqualTo(previousServing);
    }
    // a replaced pod is a new pod: its log is its own, without the lines of the one it replaced
    for (int i = 0; i < 3; i++) {
      assertThat(Files.readString(logOf("dapr-sentry-" + i))).contains("version=2").doesNotContain("version=1");
    }
  }

  @Test
  void aNewPodTemplateReplacesEachReplicaInItsPlaceOneAtATimeKeepingTheOthersServing() throws IOException {
    Supervisor sup = supervisor(settings());
    int[] ports = {freePort(), freePort(), freePort()};
    sup.apply(G, List.of(replica("a", 0, ports[0]), replica("a", 1, ports[1]), replica("a", 2, ports[2])));
    waiting().until(() -> sup.allReady(G));
    Map<String, PodStatus> before = byName(sup.status(G));

    // a Deployment's new pod template: other names, the same ordinals and so the same ports
    sup.apply(G, List.of(replica("b", 0, ports[0]), replica("b", 1, ports[1]), replica("b", 2, ports[2])));
    int[] fewestReady = {3};
    waiting().atMost(Duration.ofSeconds(40)).until(() -> {
      List<PodStatus> now = sup.status(G);
      fewestReady[0] = Math.min(fewestReady[0], (int) now.stream().filter(PodStatus::ready).count());
      return sup.allReady(G);
    });

    assertThat(sup.status(G)).extracting(PodStatus::name).containsExactly("dapr-sentry-b-0", "dapr-sentry-b-1", "dapr-sentry-b-2");
    assertThat(fewestReady[0]).as("replicas serving at any time during the rollout").isGreaterThanOrEqualTo(2);
    before.values().forEach(p -> assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    // each new replica started once its predecessor had freed the port (it never crashed on a taken port), and only
    // once the previous new replica was serving
    assertThat(sup.status(G)).allSatisfy(p -> assertThat(p.restarts()).isZero());
    for (int i = 1; i < 3; i++) {
      assertThat(servingAt(logOf("dapr-sentry-b-" + i), "b")).isAfterOrEqualTo(servingAt(logOf("dapr-sentry-b-" + (i - 1)), "b"));
    }
  }

  @Test
  void aCrashLoopingNewReplicaWaitingOutItsBackOffIsReplacedAtOnceWhenTheOldTemplateComesBack() throws IOException {
    // the settings' back-off is long enough that the rollback arrives while the broken replica has no process
    // (and the rollout timeout far longer than the test waits: the old replica must come back for its own sake, not
    // because a timer moved the rollout on)
    Supervisor sup = supervisor(new SupervisorSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(20),
        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMinutes(5)));
    int[] ports = {freePort(), freePort()};
    List<ProcessSpec> good = List.of(replica("a", 0, ports[0]), replica("a", 1, ports[1]));
    sup.apply(G, good);
    waiting().until(() -> sup.allReady(G));

    ProcessSpec b = replica("b", 0, ports[0]);
    ProcessSpec broken = ProcessSpec.of(b.name(), b.component(), "b", 0, appendArgs(b.command(), "--exit-after-ms", "0", "--exit-code", "3"),
        b.env(), b.logFile(), b.readiness());
    sup.apply(G, List.of(broken, replica("b", 1, ports[1])));
    waiting().until(() -> pod(sup, "dapr-sentry-b-0") != null && pod(sup, "dapr-sentry-b-0").status().equals(PodStatus.CRASH_LOOP_BACK_OFF));

    // the rollback: the old template again; its replica 0 must take the place the crash-looping one holds (apply
    // returns once that replica is launched: a replica waiting for a place nobody frees would hang it)
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> sup.apply(G, good));
    waiting().until(() -> sup.allReady(G));
    assertThat(sup.status(G)).extracting(PodStatus::name).containsExactly("dapr-sentry-a-0", "dapr-sentry-a-1");
  }

  @Test
  void aNewSupervisorAdoptsRunningChildrenAndRestartsOneThatDiedMeanwhile() {
    SupervisorSettings settings = settings();
    Supervisor first = supervisor(settings);
    first.apply(G, List.of(served("dapr-sentry-0", "sentry"), served("dapr-sentry-1", "sentry"),
        served("dapr-sentry-2", "sentry")));
    waiting().until(() -> first.allReady(G));
    long killedOnce = pod(first, "dapr-sentry-0").pid();
    ProcessHandle.of(killedOnce).orElseThrow().destroyForcibly();
    waiting().until(() -> pod(first, "dapr-sentry-0").restarts() == 1 && pod(first, "dapr-sentry-0").ready());
    Map<String, PodStatus> before = byName(first.status(G));
    first.close();

    ProcessHandle dying = ProcessHandle.of(before.get("dapr-sentry-2").pid()).orElseThrow();
    dying.destroyForcibly();
    waiting().until(() -> !dying.isAlive());

    Supervisor second = supervisor(settings);
    Map<String, PodStatus> adopted = byName(second.status(G));
    for (String name : List.of("dapr-sentry-0", "dapr-sentry-1")) {
      assertThat(adopted.get(name).pid()).isEqualTo(before.get(name).pid());
      assertThat(adopted.get(name).restarts()).isEqualTo(before.get(name).restarts());
      assertThat(adopted.get(name).createdAt()).isEqualTo(before.get(name).createdAt());
    }
    assertThat(adopted.get("dapr-sentry-2").pid()).isNotEqualTo(before.get("dapr-sentry-2").pid());
    assertThat(adopted.get("dapr-sentry-2").restarts()).isEqualTo(1);
    waiting().until(() -> second.allReady(G));

    // an adopted process is still watched
    ProcessHandle.of(before.get("dapr-sentry-1").pid()).orElseThrow().destroyForcibly();
    waiting().until(() -> pod(second, "dapr-sentry-1").restarts() == 1 && pod(second, "dapr-sentry-1").ready());
  }

  @Test
  void childrenOutliveAManagementServerKilledWithSigkillAndAreAdoptedByTheNext() throws Exception {
    List<ProcessSpec> specs = List.of(served("dapr-sentry-0", "sentry"), served("dapr-sentry-1", "sentry"));
    Path specsFile = tmp.resolve("specs.json");
    new ObjectMapper().writeValue(specsFile.toFile(), specs);
    Path hostLog = tmp.resolve("host.log");
    Process host = new ProcessBuilder(JAVA, "-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), SupervisorHost.class.getName(),
        tmp.resolve("state").toString(), G, specsFile.toString())
        .redirectErrorStream(true).redirectOutput(hostLog.toFile()).start();
    waiting().atMost(Duration.ofSeconds(30))
        .until(() -> Files.readString(hostLog).contains("applied") && host.children().count() == 2);
    List<Long> pids = host.children().map(ProcessHandle::pid).sorted().toList();
    grandchildren.addAll(pids);

    host.destroyForcibly();
    waiting().until(() -> !host.isAlive());
    assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

    Supervisor next = supervisor(settings());
    assertThat(next.status(G)).extracting(PodStatus::pid).containsExactlyInAnyOrderElementsOf(pids);
    assertThat(next.status(G)).extracting(PodStatus::restarts).containsOnly(0);
    waiting().until(() -> next.allReady(G));

    // no longer our child, so its exit is noticed by the JDK polling the pid; still a restart
    ProcessHandle.of(pod(next, "dapr-sentry-0").pid()).orElseThrow().destroyForcibly();
    waiting().until(() -> pod(next, "dapr-sentry-0").restarts() == 1 && pod(next, "dapr-sentry-0").ready());
    assertThat(pod(next, "dapr-sentry-0").lastExitReason()).isEqualTo("exit code unknown: adopted process");
    next.shutdownAll();
    assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void aPidWhoseStartTimeDiffersIsNotAdopted() throws IOException {
    Supervisor first = supervisor(settings());
    first.apply(G, List.of(spec("dapr-injector-0", "injector", null)));
    long original = pod(first, "dapr-injector-0").pid();
    first.close();

    // as if the recorded process had died and its pid now belonged to something else
    ProcessHandle.of(original).ifPresent(h -> {
      h.destroyForcibly();
      h.onExit().join();
    });
    Process stranger = new ProcessBuilder("sleep", "60").start();
    try {
      Path state = tmp.resolve("state").resolve(G).resolve("pods.json");
      ObjectMapper json = new ObjectMapper();
      ObjectNode root = (ObjectNode) json.readTree(state.toFile());
      ObjectNode record = (ObjectNode) ((ArrayNode) root.get("pods")).get(0);
      // the recorded start instant is the original's, a second back: the OS counts start times in 10 ms ticks,
      // so a stranger forked right after the original could otherwise share its tick
      record.put("pid", stranger.pid());
      record.put("processStart", Instant.parse(record.get("processStart").asText()).minusSeconds(1).toString());
      json.writeValue(state.toFile(), root);

      Supervisor second = supervisor(settings());
      PodStatus pod = pod(second, "dapr-injector-0");
      assertThat(pod.pid()).isNotNull().isNotEqualTo(stranger.pid());
      assertThat(pod.restarts()).isEqualTo(1);
      // the stranger is left alone
      assertThat(stranger.isAlive()).isTrue();
    } finally {
      stranger.destroyForcibly();
    }
  }

  @Test
  void aProcessOfThePodThatNoSupervisorRecordedIsStoppedBeforeThePodStarts() throws IOException {
    Supervisor first = supervisor(settings());
    first.apply(G, List.of(spec("dapr-sentry-0", "sentry", null)));
    long orphan = pod(first, "dapr-sentry-0").pid();
    first.close();
    // as if the supervisor had died between launching the pod and recording it
    Files.delete(tmp.resolve("state").resolve(G).resolve("pods.json"));

    Supervisor second = supervisor(settings());
    second.apply(G, List.of(spec("dapr-sentry-0", "sentry", null)));
    assertThat(pod(second, "dapr-sentry-0").pid()).isNotEqualTo(orphan);
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void stopGroupAndShutdownAllStopEveryChild() {
    Supervisor sup = supervisor(settings());
    sup.apply("a", List.of(spec("a-0", "sentry", null), spec("a-1", "sentry", null)));
    sup.apply("b", List.of(spec("b-0", "sentry", null)));
    List<Long> pids = new ArrayList<>();
    for (String g : List.of("a", "b")) {
      sup.status(g).forEach(p -> pids.add(p.pid()));
    }
    assertThat(pids).hasSize(3).doesNotContainNull();
    assertThat(sup.groups()).containsExactly("a", "b");

    sup.stopGroup("a");
    assertThat(sup.groups()).containsExactly("b");
    assertThat(tmp.resolve("state").resolve("a")).doesNotExist();

    sup.shutdownAll();
    assertThat(sup.groups()).isEmpty();
    assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    assertThat(tmp.resolve("state").resolve("b")).doesNotExist();
  }

  @Test
  void aChildIgnoringSigtermIsKilledAfterTheGracePeriod() {
    SupervisorSettings s = settings();
    Supervisor sup = supervisor(new SupervisorSettings(s.restartBackoff(), s.restartBackoffMax(),
        s.backoffResetAfter(), s.probePeriod(), s.probeTimeout(), Duration.ofMillis(500), s.rolloutReadyTimeout()));
    sup.apply(G, List.of(spec("stubborn", "dashboard", null, "--ignore-sigterm")));
    long pid = pod(sup, "stubborn").pid();
    // the hook that ignores SIGTERM is in place once the child says it is serving
    waiting().until(() -> Files.exists(logOf("stubborn")) && Files.readString(logOf("stubborn")).contains("serving"));

    long started = System.nanoTime();
    sup.apply(G, List.of());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(sup.status(G)).isEmpty();
  }

  @Test
  void whatALaunchAddsIsUsedAtEveryLaunchButNeverMakesAPodCountAsChanged() throws IOException {
    // a cache flag that appears while the pod runs (as a class-data archive does once dumped)
    java.util.concurrent.atomic.AtomicReference<String> flag = new java.util.concurrent.atomic.AtomicReference<>("-Dcache=none");
    Supervisor sup = new Supervisor(tmp.resolve("state"), Clock.systemUTC(), settings(), spec -> {
      List<String> cmd = new ArrayList<>(spec.command());
      cmd.add(1, flag.get());
      return cmd;
    });
    supervisors.add(sup);
    ProcessSpec pod = served("dapr-sentry-0", "sentry");
    sup.apply(G, List.of(pod));
    waiting().until(() -> sup.allReady(G));
    long pid = pod(sup, "dapr-sentry-0").pid();
    assertThat(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow()).contains("-Dcache=none");

    flag.set("-Dcache=archive");
    sup.apply(G, List.of(pod));
    waiting().during(Duration.ofMillis(500)).until(() -> Long.valueOf(pid).equals(pod(sup, "dapr-sentry-0").pid()));

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    waiting().until(() -> pod(sup, "dapr-sentry-0").pid() != null && !Long.valueOf(pid).equals(pod(sup, "dapr-sentry-0").pid()));
    assertThat(ProcessHandle.of(pod(sup, "dapr-sentry-0").pid()).orElseThrow().info().arguments().orElseThrow()).contains("-Dcache=archive");
  }

  @Test
  void aStartingPodIsProbedOftenAReadyOneSeldomAndOneThatFailsOftenAgain() throws IOException {
    // the readiness URL served here: it counts the probes and answers what the test says
    java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger status = new java.util.concurrent.atomic.AtomicInteger(503);
    com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/healthz", exchange -> {
      probes.incrementAndGet();
      exchange.sendResponseHeaders(status.get(), -1);
      exchange.close();
    });
    http.start();
    try {
      SupervisorSettings s = settings();
      Supervisor sup = supervisor(new SupervisorSettings(s.restartBackoff(), s.restartBackoffMax(),
          s.backoffResetAfter(), Duration.ofMillis(100), s.probeTimeout(), s.stopGracePeriod(),
          s.rolloutReadyTimeout(), Duration.ofSeconds(2)));
      ProcessSpec plain = spec("dapr-sentry-0", "sentry", null);
      sup.apply(G, List.of(ProcessSpec.of(plain.name(), plain.component(), plain.command(), plain.env(),
          plain.logFile(), URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/healthz"))));

      // not ready: probed every 100 ms
      waiting().until(() -> probes.get() >= 10);
      status.set(200);
      waiting().until(() -> sup.allReady(G));

      // ready: about one probe per 2 s (a 100 ms period would make ~30 in 3 s)
      int atReady = probes.get();
      waiting().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> probes.get() - atReady <= 3);

      // failing: seen at the next slow probe, then probed often again until it answers
      status.set(503);
      waiting().atMost(Duration.ofSeconds(5)).until(() -> !sup.allReady(G));
      int atFailing = probes.get();
      waiting().atMost(Duration.ofSeconds(2)).until(() -> probes.get() - atFailing >= 5);
      status.set(200);
      waiting().until(() -> sup.allReady(G));
    } finally {
      http.stop(0);
    }
  }

  // ---- helpers

  private Supervisor supervisor(SupervisorSettings settings) {
    Supervisor s = new Supervisor(tmp.resolve("state"), Clock.systemUTC(), settings);
    supervisors.add(s);
    return s;
  }

  private static SupervisorSettings settings() {
    return new SupervisorSettings(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(20),
        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(20));
  }

  private static ConditionFactory waiting() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50));
  }

  private ProcessSpec served(String name, String component) {
    int port = freePort();
    return spec(name, component, port, Map.of(), "--port", Integer.toString(port));
  }

  private ProcessSpec sentry(int i, int port, String version) {
    return spec("dapr-sentry-" + i, "sentry", port, Map.of("VERSION", version), "--port", Integer.toString(port));
  }

  private static List<String> appendArgs(List<String> command, String... more) {
    List<String> out = new ArrayList<>(command);
    out.addAll(List.of(more));
    return out;
  }

  /** Replica {@code ordinal} of the sentry Deployment under pod template {@code template}, serving on {@code port}. */
  private ProcessSpec replica(String template, int ordinal, int port) {
    ProcessSpec s = spec("dapr-sentry-" + template + "-" + ordinal, "sentry", port, Map.of("VERSION", template), "--port", Integer.toString(port));
    return ProcessSpec.of(s.name(), s.component(), template, ordinal, s.command(), s.env(), s.logFile(), s.readiness());
  }

  private ProcessSpec spec(String name, String component, Integer port, String... args) {
    return spec(name, component, port, Map.of(), args);
  }

  private ProcessSpec spec(String name, String component, Integer port, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(JAVA, "-XX:+UseSerialGC", "-Xmx32m", "-XX:TieredStopAtLevel=1",
        "-cp", testClasses(), HealthzChild.class.getName()));
    command.addAll(List.of(args));
    URI readiness = port == null ? null : URI.create("http://127.0.0.1:" + port + "/healthz");
    return ProcessSpec.of(name, component, command, env, logOf(name), readiness);
  }

  private Path logOf(String name) {
    return tmp.resolve("logs").resolve(name + ".log");
  }

  private static String testClasses() {
    try {
      return Path.of(HealthzChild.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PodStatus pod(Supervisor sup, String name) {
    return byName(sup.status(G)).get(name);
  }

  private static Map<String, PodStatus> byName(List<PodStatus> pods) {
    Map<String, PodStatus> map = new java.util.TreeMap<>();
    pods.forEach(p -> map.put(p.name(), p));
    return map;
  }

  private static Instant servingAt(Path log, String version) throws IOException {
    Matcher m = SERVING.matcher(Files.readString(log));
    while (m.find()) {
      if (m.group(1).equals(version)) {
        return Instant.parse(m.group(2));
      }
    }
    throw new AssertionError("no process of version " + version + " served in " + log);
  }
}
