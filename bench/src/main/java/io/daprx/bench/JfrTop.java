package io.daprx.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples went, as plain text: by thread group, by top frame (self), by any
 * frame (inclusive), and what each {@code --under METHOD} spends its time in (its direct callees).
 *
 * <p>Usage: {@code java -cp daprx-bench.jar io.daprx.bench.JfrTop FILE.jfr [--top N] [--under Class.method]...}
 * (method names as {@code io.daprx.sentry.server.CaService.sign}).
 */
public final class JfrTop {

  private JfrTop() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: JfrTop FILE.jfr [--top N] [--under pkg.Class.method]...");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int top = 25;
    List<String> under = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--top" -> top = Integer.parseInt(args[++i]);
        case "--under" -> under.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Map<String, Long>> callees = new HashMap<>();
    long samples = 0;
    try (RecordingFile rec = new RecordingFile(file)) {
      while (rec.hasMoreEvents()) {
        RecordedEvent e = rec.readEvent();
        String type = e.getEventType().getName();
        // Java code and native methods called from Java (ACCP's crypto runs in JNI): both burn CPU
        if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
          continue;
        }
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
          continue;
        }
        if (type.equals("jdk.NativeMethodSample") && !isRunningNative(st)) {
          continue; // parked or blocked in a system call: not CPU
        }
        samples++;
        RecordedThread t = e.getThread("sampledThread");
        threads.merge(threadGroup(t), 1L, Long::sum);
        List<RecordedFrame> frames = st.getFrames(); // top (innermost) first
        self.merge(name(frames.get(0)), 1L, Long::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
          String n = name(f);
          if (seen.add(n)) {
            inclusive.merge(n, 1L, Long::sum);
          }
        }
        for (String u : under) {
          // outermost occurrence of u; its callee is the frame just inside it
          for (int i = frames.size() - 1; i >= 0; i--) {
            if (name(frames.get(i)).equals(u)) {
              String callee = i == 0 ? "(self)" : name(frames.get(i - 1));
              callees.computeIfAbsent(u, k -> new HashMap<>()).merge(callee, 1L, Long::sum);
              break;
            }
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d CPU samples in %s%n", samples, file);
    print("by thread", threads, samples, top);
    print("self (top frame)", self, samples, top);
    print("inclusive (on the stack)", inclusive, samples, top);
    for (String u : under) {
      Map<String, Long> c = callees.getOrDefault(u, Map.of());
      long total = c.values().stream().mapToLong(Long::longValue).sum();
      print("under " + u + " (" + pct(total, samples) + " of all samples), by direct callee", c, samples, top);
    }
  }

  /** Native-method samples include threads idle in epoll or park; only frames that are not waits count as CPU. */
  private static boolean isRunningNative(RecordedStackTrace st) {
    String top = name(st.getFrames().get(0));
    return !(top.contains("epoll") || top.contains("park") || top.contains(".wait") || top.contains("accept")
        || top.contains("Socket") || top.contains("read0") || top.contains("poll"));
  }

  private static String threadGroup(RecordedThread t) {
    if (t == null || t.getJavaName() == null) {
      return "(unknown)";
    }
    return t.getJavaName().replaceAll("[-#]?\\d+", "-N");
  }

  private static String name(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    return m == null ? "(unknown)" : m.getType().getName() + "." + m.getName();
  }

  private static void print(String title, Map<String, Long> counts, long samples, int top) {
    System.out.println();
    System.out.println("-- " + title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(e -> System.out.printf(Locale.ROOT, "%7s %7d  %s%n", pct(e.getValue(), samples), e.getValue(), e.getKey()));
  }

  private static String pct(long n, long total) {
    return String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0 : 100.0 * n / total);
  }
}
