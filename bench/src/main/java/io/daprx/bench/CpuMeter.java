package io.daprx.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used by sentry's process and by this one, read from {@code /proc/PID/stat} (user + system time of
 * all threads). Where time goes on a machine whose cores both processes share is what turns a throughput
 * into a cost per certificate, comparable with openssl's per-operation cost. Unknown (NaN) off Linux or
 * without a sentry pid.
 */
final class CpuMeter {

  /** CPU nanoseconds at one instant; negative when unknown. */
  record Sample(long sentryNanos, long selfNanos) {}

  private final long sentryPid;
  private final long clockTicksPerSecond;

  /**
   * @param sentryPid sentry's process id, or 0 when not known
   * @param clockTicksPerSecond the kernel's USER_HZ ({@code getconf CLK_TCK}, 100 almost everywhere)
   */
  CpuMeter(long sentryPid, long clockTicksPerSecond) {
    this.sentryPid = sentryPid;
    this.clockTicksPerSecond = clockTicksPerSecond;
  }

  Sample sample() {
    return new Sample(sentryPid > 0 ? cpuNanos(Long.toString(sentryPid)) : -1, cpuNanos("self"));
  }

  static double seconds(long from, long to) {
    return from < 0 || to < 0 ? Double.NaN : (to - from) / 1e9;
  }

  private long cpuNanos(String pid) {
    try {
      return parseStat(Files.readString(Path.of("/proc", pid, "stat")), clockTicksPerSecond);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** utime + stime (fields 14 and 15) in nanoseconds; the command name in parentheses may hold spaces. */
  static long parseStat(String stat, long ticksPerSecond) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // f[0] is field 3 (state), so field N is f[N - 3]
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * (1_000_000_000L / ticksPerSecond);
  }
}
