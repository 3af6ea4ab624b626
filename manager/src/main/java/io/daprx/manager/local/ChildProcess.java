package io.daprx.manager.local;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A running OS process of a pod: one this JVM launched (its exit code is known) or one adopted from an earlier
 * supervisor by pid and start instant (its exit code is not).
 */
final class ChildProcess {

  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  private static final File NULL_FILE = new File(WINDOWS ? "NUL" : "/dev/null");

  private final ProcessHandle handle;
  private final Process process;
  private final Instant startInstant;

  private ChildProcess(ProcessHandle handle, Process process, Instant startInstant) {
    this.handle = handle;
    this.process = process;
    this.startInstant = startInstant;
  }

  /**
   * Launches the spec with its output appended straight to the log file and stdin from the null device, so the
   * child never depends on a pipe to this JVM and outlives it.
   */
  static ChildProcess launch(ProcessSpec spec, List<String> command) throws IOException {
    killStrays(spec);
    File log = spec.logFile().toFile();
    if (spec.logFile().getParent() != null) {
      Files.createDirectories(spec.logFile().getParent());
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(log))
        .redirectInput(Redirect.from(NULL_FILE));
    builder.environment().putAll(spec.env());
    builder.environment().put(MARKER, marker(spec));
    Process process = builder.start();
    ProcessHandle handle = process.toHandle();
    return new ChildProcess(handle, process, handle.info().startInstant().orElse(null));
  }

  /** Environment variable that names the pod a process runs, so a stray can be recognised later. */
  static final String MARKER = "DAPRX_POD";

  private static String marker(ProcessSpec spec) {
    return spec.logFile().toString(); // absolute and unique per pod of every cluster on the machine
  }

  /**
   * Kills processes of this pod that nobody supervises: a supervisor killed between launching a pod and
   * recording it leaves one behind, holding the pod's ports so that its replacement would crash-loop.
   * Such a process is recognised by the marker in its environment (Linux {@code /proc}); elsewhere this
   * does nothing.
   */
  static void killStrays(ProcessSpec spec) {
    byte[] wanted = (MARKER + "=" + marker(spec)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    killMarked(env -> containsEntry(env, wanted));
  }

  /**
   * Kills every process whose pod marker lies under {@code dir} (a cluster's log directory, or all clusters):
   * the last word of stopping a cluster or the server, whatever the records say.
   */
  static void killMarkedUnder(Path dir) {
    byte[] prefix = (MARKER + "=" + dir.toAbsolutePath().normalize() + "/").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    killMarked(env -> containsEntryStartingWith(env, prefix));
  }

  private static void killMarked(java.util.function.Predicate<byte[]> matches) {
    Path proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return;
    }
    long self = ProcessHandle.current().pid();
    ProcessHandle.allProcesses().filter(h -> h.pid() != self).forEach(h -> {
      try {
        byte[] env = Files.readAllBytes(proc.resolve(Long.toString(h.pid())).resolve("environ"));
        if (matches.test(env)) {
          h.destroyForcibly();
          h.onExit().join();
        }
      } catch (IOException | SecurityException | UncheckedIOException e) {
        // gone meanwhile, or not ours to read: not one of ours
      }
    });
  }

  private static boolean containsEntryStartingWith(byte[] env, byte[] prefix) {
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        if (i - start >= prefix.length && java.util.Arrays.equals(env, start, start + prefix.length, prefix, 0, prefix.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /** Whether a NUL-separated environment block holds exactly this entry. */
  static boolean containsEntry(byte[] env, byte[] entry) {
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        if (i - start == entry.length && java.util.Arrays.equals(env, start, i, entry, 0, entry.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /**
   * The process with this pid if it is alive and started at {@code startInstant}: a pid alone may have been reused
   * by an unrelated process since it was recorded.
   */
  static Optional<ChildProcess> adopt(long pid, Instant startInstant) {
    if (startInstant == null || pid == ProcessHandle.current().pid()) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(startInstant::equals).orElse(false))
        .map(h -> new ChildProcess(h, null, startInstant));
  }

  long pid() {
    return handle.pid();
  }

  /** When the process started, as the OS reports it; null if the OS did not say. */
  Instant startInstant() {
    return startInstant;
  }

  boolean adopted() {
    return process == null;
  }

  CompletableFuture<?> onExit() {
    return process != null ? process.onExit() : handle.onExit();
  }

  /** SIGTERM, or a forced kill where the platform cannot ask politely. */
  void terminate() {
    if (!handle.supportsNormalTermination() || !handle.destroy()) {
      handle.destroyForcibly();
    }
  }

  /** SIGKILL. */
  void kill() {
    handle.destroyForcibly();
  }

  /** Exit code of an exited launched process; null for an adopted one (only a parent learns it). */
  Integer exitCode() {
    return process == null ? null : process.exitValue();
  }

  /** How kubectl-ish output names the exit: {@code exit code 1}, {@code killed by signal 9}. */
  static String describeExit(Integer exitCode) {
    if (exitCode == null) {
      return "exit code unknown: adopted process";
    }
    // the JDK reports death by signal N as 128 + N, as shells do
    if (!WINDOWS && exitCode > 128 && exitCode <= 128 + 64) {
      return "killed by signal " + (exitCode - 128);
    }
    return "exit code " + exitCode;
  }
}
