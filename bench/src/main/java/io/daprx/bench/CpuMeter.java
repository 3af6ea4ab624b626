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

  /**
   * CPU nanoseconds at one instant; negative when unknown.
   *
   * @param machineNanos busy time of all cores, whoever used them: what is left after sentry and this
   *     process is other load on the machine, which skews every figure
   */
  record Sample(long sentryNanos, long selfNanos, long machineNanos) {
    static final Sample UNKNOWN = new Sample(-1, -1, -1);
  }

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
    return new Sample(sentryPid > 0 ? cpuNanos(Long.toString(sentryPid)) : -1, cpuNanos("self"), machineNanos());
  }

  private long machineNanos() {
    try {
      return parseMachineStat(Files.readString(Path.of("/proc/stat")), clockTicksPerSecond);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Busy time of all cores from the {@code cpu} line: user, nice, system, irq, softirq and steal (not idle, iowait). */
  static long parseMachineStat(String procStat, long ticksPerSecond) {
    String line = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow();
    String[] f = line.trim().split("\\s+");
    long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7])
        + (f.length > 8 ? Long.parseLong(f[8]) : 0);
    return busy * (1_000_000_000L / ticksPerSecond);
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
