package io.daprx.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load generator for the injector webhook: a closed loop of {@code --concurrency} workers, each on its own HTTPS
 * keep-alive connection (as the API server reuses its connections), posting the AdmissionReview of a pod a
 * Deployment created (two containers, Dapr annotations). Each answer is checked (HTTP 200, the request's uid, a
 * JSONPatch); anything else counts as an error. Warm-up is not measured.
 */
@Command(name = "injector-load", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Admissions per second and latency of the injector webhook over HTTPS keep-alive connections.")
public final class InjectorLoad implements Callable<Integer> {

  @Option(names = "--address", required = true, paramLabel = "HOST:PORT", description = "the injector's HTTPS address")
  String address;

  @Option(names = "--ca-file", required = true, paramLabel = "FILE", description = "PEM CA that signed the injector's certificate")
  Path caFile;

  @Option(names = "--server-name", defaultValue = "localhost",
      description = "name the certificate is checked against (default: ${DEFAULT-VALUE})")
  String serverName;

  @Option(names = "--concurrency", defaultValue = "32", description = "requests in flight, one connection each (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--warmup-seconds", defaultValue = "10", description = "unmeasured (JIT) warm-up (default: ${DEFAULT-VALUE})")
  int warmupSeconds;

  @Option(names = "--seconds", defaultValue = "30", description = "measured duration (default: ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--rate", defaultValue = "3000",
      description = "offered admissions/s of the second phase (open loop over the same number of connections; 0 skips it)"
          + " (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--injector-pid", paramLabel = "PID", description = "the injector's process id, for its CPU time and RSS")
  long injectorPid;

  @Option(names = "--target-rate", defaultValue = "3000", description = "admissions/s to reach (default: ${DEFAULT-VALUE})")
  double targetRate;

  @Option(names = "--target-p99-ms", defaultValue = "10", description = "p99 latency bound in ms (default: ${DEFAULT-VALUE})")
  double targetP99Ms;

  @Option(names = "--enforce-targets", description = "exit 3 when a target is missed")
  boolean enforceTargets;

  public static void main(String[] args) {
    System.exit(new CommandLine(new InjectorLoad()).execute(args));
  }

  private volatile boolean measuring;
  private volatile boolean stop;
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private volatile String firstError;

  /** What one phase measured. */
  record Figures(double rate, double p50, double p99, double p999, double max, long errors) {}

  @Override
  public Integer call() throws Exception {
    SSLContext tls = tls(caFile);
    String host = address.substring(0, address.lastIndexOf(':'));
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    byte[] template = AdmissionReviews.deploymentPod().getBytes(StandardCharsets.UTF_8);
    System.out.printf("injector-load: AdmissionReview of %,d bytes (a Deployment's pod, 2 containers, Dapr annotations)%n",
        template.length);
    Figures peak = phase("peak (closed loop)", 0, tls, host, port, template);
    Figures target = rate > 0 ? phase(String.format("at %,.0f/s (open loop)", rate), rate, tls, host, port, template) : null;
    boolean met = peak.rate() >= targetRate && (target != null ? target.p99() : peak.p99()) <= targetP99Ms;
    System.out.printf("injector-load: targets: peak ≥ %,.0f/s (%,.0f/s) and p99 ≤ %.0f ms at %s (%.2f ms): %s%n", targetRate,
        peak.rate(), targetP99Ms, target != null ? String.format("%,.0f/s", rate) : "the peak",
        target != null ? target.p99() : peak.p99(), met ? "met" : "MISSED");
    if (firstError != null) {
      System.out.println("injector-load: first error: " + firstError);
    }
    long completed = ok.get();
    if (errors.get() > completed / 1000) {
      return 1;
    }
    return enforceTargets && !met ? 3 : 0;
  }

  /** @param openLoopRate 0 = closed loop (each worker sends as soon as it has its answer) */
  private Figures phase(String name, double openLoopRate, SSLContext tls, String host, int port, byte[] template)
      throws Exception {
    stop = false;
    measuring = false;
    List<Worker> workers = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    long startAt = System.nanoTime() + 50_000_000L;
    long interval = openLoopRate > 0 ? (long) (concurrency * 1e9 / openLoopRate) : 0;
    for (int i = 0; i < concurrency; i++) {
      Worker w = new Worker(i, tls, host, port, template, done, interval, startAt + interval * i / concurrency);
      workers.add(w);
      Thread t = new Thread(w, "load-" + i);
      t.setDaemon(true);
      t.start();
    }
    System.out.printf("injector-load: %s: %d connections to %s, warm-up %d s, then %d s measured%n", name, concurrency, address,
        warmupSeconds, seconds);
    Thread.sleep(warmupSeconds * 1000L); // a fixed wall-clock phase, not a wait for a condition
    long warmErrors = errors.get();
    CpuMeter cpu = new CpuMeter(injectorPid, 100);
    CpuMeter.Sample before = cpu.sample();
    long okBefore = ok.get();
    measuring = true;
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    measuring = false;
    long elapsed = System.nanoTime() - start;
    CpuMeter.Sample after = cpu.sample();
    long completed = ok.get() - okBefore;
    stop = true;
    done.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(10), java.util.concurrent.TimeUnit.MILLISECONDS);

    Histogram all = new Histogram(3_600_000_000L, 3);
    for (Worker w : workers) {
      synchronized (w) {
        all.add(w.histogram);
      }
      w.close();
    }
    double secs = elapsed / 1e9;
    double achieved = completed / secs;
    double p50 = all.getValueAtPercentile(50) / 1e6;
    double p99 = all.getValueAtPercentile(99) / 1e6;
    double p999 = all.getValueAtPercentile(99.9) / 1e6;
    double max = all.getMaxValue() / 1e6;
    long measuredErrors = errors.get() - warmErrors;
    System.out.printf("injector-load: %s: %,d admissions in %.1f s = %,.0f/s; latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
        + " max %.2f ms; errors %d (warm-up %d)%n", name, completed, secs, achieved, p50, p99, p999, max, measuredErrors, warmErrors);
    double injCpu = CpuMeter.seconds(before.sentryNanos(), after.sentryNanos());
    double selfCpu = CpuMeter.seconds(before.selfNanos(), after.selfNanos());
    double machine = CpuMeter.seconds(before.machineNanos(), after.machineNanos());
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("injector-load: CPU over the measured phase: injector %.2f cores (%.0f µs per admission), load generator %.2f"
        + " cores, others %.2f cores, of %d%n", injCpu / secs, injCpu / completed * 1e6, selfCpu / secs,
        Math.max(0, machine - injCpu - selfCpu) / secs, cores); // /proc/stat lags the processes' own counters a little
    if (injectorPid > 0) {
      try {
        String status = Files.readString(Path.of("/proc/" + injectorPid + "/status"));
        status.lines().filter(l -> l.startsWith("VmRSS")).findFirst()
            .ifPresent(l -> System.out.println("injector-load: injector " + l.replaceAll("\\s+", " ")));
      } catch (IOException e) {
        // not Linux, or gone
      }
    }
    return new Figures(achieved, p50, p99, p999, max, measuredErrors);
  }

  private static SSLContext tls(Path ca) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    try (InputStream in = Files.newInputStream(ca)) {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, (X509Certificate) c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private final class Worker implements Runnable {
    final Histogram histogram = new Histogram(3_600_000_000L, 3);
    private final int id;
    private final SSLContext tls;
    private final String host;
    private final int port;
    private final byte[] body;
    private final byte[] head;
    private final int uidAt;
    private final CountDownLatch done;
    private SSLSocket socket;
    private OutputStream out;
    private InputStream in;
    private long seq;

    private final long interval;
    private long scheduled;

    /** @param interval nanoseconds between sends (open loop), 0 for a closed loop; @param firstSend when to send first */
    Worker(int id, SSLContext tls, String host, int port, byte[] template, CountDownLatch done, long interval, long firstSend) {
      this.interval = interval;
      this.scheduled = firstSend;
      this.id = id;
      this.tls = tls;
      this.host = host;
      this.port = port;
      this.body = template.clone();
      this.uidAt = indexOf(body, AdmissionReviews.UID_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII));
      this.head = ("POST /mutate?timeout=10s HTTP/1.1\r\nHost: " + serverName + "\r\nContent-Type: application/json\r\n"
          + "Accept: application/json, */*\r\nUser-Agent: kube-apiserver-admission\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      this.done = done;
    }

    @Override
    public void run() {
      try {
        while (!stop) {
          String uid = String.format("%08x-%04x-4000-8000-%012x", id, 0, seq++);
          byte[] u = uid.getBytes(StandardCharsets.US_ASCII);
          System.arraycopy(u, 0, body, uidAt, u.length);
          long t0;
          if (interval > 0) {
            // open loop: latency counts from the scheduled send, so a stall shows instead of holding requests back
            long wait;
            while ((wait = scheduled - System.nanoTime()) > 0 && !stop) {
              java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            t0 = scheduled;
            scheduled += interval;
          } else {
            t0 = System.nanoTime();
          }
          String problem;
          try {
            problem = exchange(uid);
          } catch (IOException e) {
            problem = e.toString();
            close();
          }
          long t1 = System.nanoTime();
          if (problem == null) {
            ok.incrementAndGet();
            if (measuring) {
              synchronized (this) {
                histogram.recordValue(Math.min(t1 - t0, 3_600_000_000L));
              }
            }
          } else {
            errors.incrementAndGet();
            if (firstError == null) {
              firstError = problem;
            }
          }
        }
      } finally {
        close();
        done.countDown();
      }
    }

    /** One request on the worker's connection; null when the answer is right, else what is wrong. */
    private String exchange(String uid) throws IOException {
      if (socket == null) {
        socket = (SSLSocket) tls.getSocketFactory().createSocket(host, port);
        SSLParameters p = socket.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setServerNames(List.of(new javax.net.ssl.SNIHostName(serverName)));
        socket.setSSLParameters(p);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      }
      out.write(head);
      out.write(body);
      out.flush();
      int status = -1;
      int length = -1;
      boolean close = false;
      String line;
      boolean first = true;
      while (!(line = readLine(in)).isEmpty()) {
        if (first) {
          status = Integer.parseInt(line.substring(9, 12));
          first = false;
        } else if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        } else if (line.regionMatches(true, 0, "Connection: close", 0, 17)) {
          close = true;
        }
      }
      if (length < 0) {
        close();
        return "HTTP " + status + " without Content-Length";
      }
      byte[] resp = in.readNBytes(length);
      if (close) {
        close();
      }
      if (status != 200) {
        return "HTTP " + status + ": " + new String(resp, StandardCharsets.UTF_8).trim();
      }
      String text = new String(resp, StandardCharsets.UTF_8);
      if (!text.contains(uid) || !text.contains("\"patchType\":\"JSONPatch\"")) {
        return "unexpected answer: " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
      }
      return null;
    }

    void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // already broken
        }
      }
      socket = null;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    throw new IOException("connection closed by the injector");
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("no uid placeholder in the AdmissionReview");
  }
}
