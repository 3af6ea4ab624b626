package io.daprx.placement.sim;

import io.daprx.common.pki.KeyAlgorithm;
import io.daprx.common.pki.Pem;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SidecarChannels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Simulated sidecars against a running placement, as a user tool: connects them, waits until each namespace has one
 * table with every host, prints how long that took, and holds the streams open.
 *
 * <pre>
 * java -cp daprx.jar io.daprx.placement.sim.SimulatorMain --address 127.0.0.1:50005 --sidecars 100 --namespaces 2 \
 *     [--actor-types 3] [--channels 4] [--seconds 60] \
 *     [--tls --sentry-address 127.0.0.1:50001 --trust-anchors-file ca.crt [--trust-domain cluster.local] [--control-plane-namespace dapr-system]]
 * </pre>
 */
public final class SimulatorMain {

  private SimulatorMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    String address = opts.getOrDefault("address", "127.0.0.1:50005");
    int sidecars = Integer.parseInt(opts.getOrDefault("sidecars", "10"));
    int namespaces = Integer.parseInt(opts.getOrDefault("namespaces", "1"));
    int types = Integer.parseInt(opts.getOrDefault("actor-types", "2"));
    int channels = Integer.parseInt(opts.getOrDefault("channels", "4"));
    long seconds = Long.parseLong(opts.getOrDefault("seconds", "0"));
    PrintStream out = System.out;
    try (SidecarFleet fleet = new SidecarFleet(channels(opts, address, channels), System::nanoTime, false, false)) {
      long start = System.nanoTime();
      for (int i = 0; i < sidecars; i++) {
        String ns = "sim-" + (i % namespaces);
        String type = "SimActor" + (i % Math.max(1, types));
        fleet.connect(new SidecarSpec("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":50002",
            "sim-app-" + i, ns, types == 0 ? List.of() : List.of(type), SidecarSpec.DAPRD_API_LEVEL));
      }
      for (int n = 0; n < namespaces; n++) {
        String ns = "sim-" + n;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!fleet.converged(ns)) {
          if (System.nanoTime() > deadline) {
            out.println("namespace " + ns + " did not converge within 60 s");
            break;
          }
          Thread.sleep(5); // a command-line tool polling a condition, not a test
        }
      }
      out.printf("%d sidecars in %d namespaces connected and holding one table each after %d ms%n", sidecars, namespaces,
          Duration.ofNanos(System.nanoTime() - start).toMillis());
      List<String> violations = fleet.violations();
      out.println(violations.isEmpty() ? "no protocol violations" : "protocol violations: " + violations);
      if (seconds > 0) {
        Thread.sleep(Duration.ofSeconds(seconds).toMillis());
      } else {
        Thread.currentThread().join(); // until interrupted (Ctrl-C)
      }
    }
  }

  private static SidecarChannels channels(Map<String, String> opts, String address, int channels) throws IOException {
    if (!opts.containsKey("tls")) {
      return SidecarChannels.plaintext(address, channels, true);
    }
    String td = opts.getOrDefault("trust-domain", "cluster.local");
    String cpNs = opts.getOrDefault("control-plane-namespace", "dapr-system");
    return SidecarChannels.mtls(address, SpiffeId.of(td, cpNs, "dapr-placement"), opts.getOrDefault("sentry-address", "127.0.0.1:50001"),
        SpiffeId.of(td, cpNs, "dapr-sentry"), Pem.parseCertificates(Files.readString(Path.of(require(opts, "trust-anchors-file")))),
        KeyAlgorithm.ED25519, Clock.systemUTC());
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
    List<String> list = new ArrayList<>(List.of(args));
    for (int i = 0; i < list.size(); i++) {
      String a = list.get(i);
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String key = a.substring(2);
      if (key.equals("tls")) {
        out.put(key, "true");
      } else if (i + 1 < list.size()) {
        out.put(key, list.get(++i));
      } else {
        throw new IllegalArgumentException(a + " needs a value");
      }
    }
    return out;
  }
}
