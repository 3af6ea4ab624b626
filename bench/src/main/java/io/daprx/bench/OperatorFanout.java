package io.daprx.bench;

import io.daprx.common.pki.Pem;
import io.daprx.common.runtime.Logging;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.SvidClient;
import io.daprx.common.tls.TlsCredentials;
import io.daprx.proto.operator.v1.ComponentUpdateEvent;
import io.daprx.proto.operator.v1.ComponentUpdateRequest;
import io.daprx.proto.operator.v1.OperatorGrpc;
import io.daprx.proto.sentry.v1.SignCertificateRequest.TokenValidator;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load generator for the operator's fan-out: many sidecar-like ComponentUpdate streams over a number of connections,
 * then one Component file rewritten again and again in the operator's resources directory. Each update is measured
 * from the write (the atomic rename) to the moment the LAST stream has it. {@code bench/operator-bench.sh} starts the
 * operator (standalone, over that directory) and sentry.
 *
 * <p>Exit code: 0; 2 when streams do not all get an update within the timeout; 3 with {@code --enforce-target} when
 * p99 misses the target.
 */
@Command(name = "operator-fanout", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure the time from a Component file write to its delivery on every subscribed stream.")
public final class OperatorFanout implements Callable<Integer> {

  static final double TARGET_P99_MILLIS = 200;

  @Option(names = "--address", required = true, paramLabel = "HOST:PORT", description = "the operator's gRPC address")
  String address;

  @Option(names = "--resources-dir", required = true, paramLabel = "DIR", description = "the operator's --resources-path")
  Path dir;

  @Option(names = "--streams", defaultValue = "1000", description = "ComponentUpdate streams (default: ${DEFAULT-VALUE})")
  int streams;

  @Option(names = "--connections", defaultValue = "50", description = "gRPC connections the streams share (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--updates", defaultValue = "50", description = "measured updates (default: ${DEFAULT-VALUE})")
  int updates;

  @Option(names = "--warmup-updates", defaultValue = "10", description = "unmeasured updates first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--gap", defaultValue = "100ms", description = "pause between updates (default: ${DEFAULT-VALUE})")
  String gap;

  @Option(names = "--namespace", defaultValue = "default", description = "the sidecars' namespace (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--sentry-address", paramLabel = "HOST:PORT", description = "sentry, for the streams' SVIDs (mTLS); omit for plaintext")
  String sentryAddress;

  @Option(names = "--trust-anchors-file", paramLabel = "FILE", description = "sentry's ca.crt (with --sentry-address)")
  Path anchorsFile;

  @Option(names = "--trust-domain", defaultValue = "cluster.local", description = "the control plane's trust domain (default: ${DEFAULT-VALUE})")
  String trustDomain;

  @Option(names = "--control-plane-namespace", defaultValue = "dapr-system", description = "(default: ${DEFAULT-VALUE})")
  String controlPlaneNamespace;

  @Option(names = "--timeout", defaultValue = "10", description = "seconds one update may take to reach every stream (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(names = {"-v", "--verbose"}, description = "print every update's time")
  boolean verbose;

  @Option(names = "--enforce-target", description = "exit 3 when p99 exceeds " + TARGET_P99_MILLIS + " ms")
  boolean enforceTarget;

  private static final String FILE = "fanout-component.yaml";
  private final List<AutoCloseable> owned = new ArrayList<>();
  private static volatile boolean done; // streams end with the run: not a failure then

  public static void main(String[] args) {
    Logging.configure("warn", false);
    System.exit(new CommandLine(new OperatorFanout()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    int rounds = warmup + updates + 1; // round 0: the component appears (CREATED), which proves every stream is subscribed
    AtomicIntegerArray got = new AtomicIntegerArray(rounds);
    AtomicLongArray last = new AtomicLongArray(rounds);
    AtomicInteger failed = new AtomicInteger();
    try {
      List<ManagedChannel> channels = channels();
      System.out.printf(Locale.ROOT, "operator-fanout: %d streams over %d connections (%s) to %s%n", streams, channels.size(),
          sentryAddress != null ? "mTLS" : "plaintext", address);
      Files.deleteIfExists(dir.resolve(FILE));
      for (int i = 0; i < streams; i++) {
        OperatorGrpc.newStub(channels.get(i % channels.size())).componentUpdate(
            ComponentUpdateRequest.newBuilder().setNamespace(namespace).build(), new Recorder(got, last, failed));
      }
      // the streams subscribe asynchronously: write round 0 until every stream has seen it
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (got.get(0) < streams) {
        if (failed.get() > 0 || System.nanoTime() > deadline) {
          System.out.printf("operator-fanout: only %d of %d streams subscribed (%d failed)%n", got.get(0), streams, failed.get());
          return 2;
        }
        Files.deleteIfExists(dir.resolve(FILE));
        TimeUnit.MILLISECONDS.sleep(300);
        got.set(0, 0);
        write(0);
        TimeUnit.MILLISECONDS.sleep(700);
      }
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      long gapMillis = io.daprx.common.runtime.GoDuration.parse(gap).toMillis();
      for (int round = 1; round < rounds; round++) {
        TimeUnit.MILLISECONDS.sleep(gapMillis);
        long t0 = System.nanoTime();
        write(round);
        long until = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (got.get(round) < streams) {
          if (System.nanoTime() > until || failed.get() > 0) {
            System.out.printf("operator-fanout: update %d reached %d of %d streams in %d s (%d streams failed)%n", round,
                got.get(round), streams, timeoutSeconds, failed.get());
            return 2;
          }
          Thread.onSpinWait();
          if ((System.nanoTime() & 0xff) == 0) {
            Thread.yield();
          }
        }
        if (round > warmup) {
          h.recordValue(Math.max(0, last.get(round) - t0));
          if (verbose) {
            System.out.printf(Locale.ROOT, "operator-fanout: update %d: %.1f ms%n", round, (last.get(round) - t0) / 1e6);
          }
        }
      }
      done = true;
      double p50 = h.getValueAtPercentile(50) / 1e6;
      double p90 = h.getValueAtPercentile(90) / 1e6;
      double p99 = h.getValueAtPercentile(99) / 1e6;
      double max = h.getMaxValue() / 1e6;
      System.out.printf(Locale.ROOT, "operator-fanout: write → last of %d streams, %d updates: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms,"
          + " max %.1f ms (target p99 ≤ %.0f ms: %s)%n", streams, h.getTotalCount(), p50, p90, p99, max, TARGET_P99_MILLIS,
          p99 <= TARGET_P99_MILLIS ? "met" : "MISSED");
      return enforceTarget && p99 > TARGET_P99_MILLIS ? 3 : 0;
    } finally {
      Files.deleteIfExists(dir.resolve(FILE));
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception e) {
          // shutting down
        }
      }
    }
  }

  /** Writes as careful writers do (a temp file renamed into place), with the round in a metadata value. */
  private void write(int round) throws Exception {
    String yaml = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: fanout\n  namespace: " + namespace + "\n"
        + "spec:\n  type: state.in-memory\n  version: v1\n  metadata:\n  - name: round\n    value: \"round-" + round + "\"\n";
    Path tmp = dir.resolve("." + FILE + ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private List<ManagedChannel> channels() throws Exception {
    List<ManagedChannel> out = new ArrayList<>();
    List<X509Certificate> anchors = anchorsFile == null ? null : Pem.parseCertificates(Files.readString(anchorsFile));
    SpiffeId operatorId = SpiffeId.of(trustDomain, controlPlaneNamespace, "dapr-operator");
    for (int i = 0; i < Math.min(connections, streams); i++) {
      ChannelCredentials creds;
      if (sentryAddress != null) {
        // one identity per connection, as one sidecar per connection: app ids fanout-0..n
        SvidClient svid = SvidClient.connect(new SvidClient.Options(sentryAddress, SpiffeId.of(trustDomain, controlPlaneNamespace, "dapr-sentry"),
            "fanout-" + i, namespace, "", TokenValidator.INSECURE, null, null, Duration.ofSeconds(5), 3), anchors, Clock.systemUTC()).start();
        owned.add(svid);
        creds = TlsCredentials.clientMtls(svid, operatorId, Clock.systemUTC());
      } else {
        creds = InsecureChannelCredentials.create();
      }
      ManagedChannel ch = Grpc.newChannelBuilder(address, creds).directExecutor().build();
      owned.add(ch::shutdownNow);
      out.add(ch);
    }
    return out;
  }

  /** Notes, per round, how many streams have it and when the latest one got it. */
  private static final class Recorder implements StreamObserver<ComponentUpdateEvent> {
    private final AtomicIntegerArray got;
    private final AtomicLongArray last;
    private final AtomicInteger failed;

    Recorder(AtomicIntegerArray got, AtomicLongArray last, AtomicInteger failed) {
      this.got = got;
      this.last = last;
      this.failed = failed;
    }

    @Override
    public void onNext(ComponentUpdateEvent e) {
      long now = System.nanoTime();
      String json = e.getComponent().toStringUtf8();
      int at = json.indexOf("round-");
      if (at < 0 || e.getTypeValue() == 3) { // DELETED between attempts of round 0
        return;
      }
      int end = at + 6;
      while (end < json.length() && Character.isDigit(json.charAt(end))) {
        end++;
      }
      int round = Integer.parseInt(json.substring(at + 6, end));
      last.accumulateAndGet(round, now, Math::max);
      got.incrementAndGet(round);
    }

    @Override
    public void onError(Throwable t) {
      if (done) {
        return;
      }
      failed.incrementAndGet();
      System.out.println("operator-fanout: a stream failed: " + io.grpc.Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      failed.incrementAndGet();
    }
  }
}
