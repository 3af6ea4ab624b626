package io.daprx.common.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JVM options each long-running daprx process starts with, read from the one table that holds them: the
 * {@code jvm-options/<process>} resources of this jar, one option per line, {@code #} comments saying why. The local
 * install's launcher reads them here; {@code bin/daprx} (and so every container image) reads the same files from the jar
 * ({@code unzip -p}) or from the {@code jvm-options} folder the build writes beside it, without starting a JVM. A flag
 * changes in that file and nowhere else.
 */
public final class JvmOptions {

  /** The processes that have a table entry: the control-plane components and the management server. */
  public static final List<String> PROCESSES = List.of("sentry", "operator", "placement", "scheduler", "injector", "dashboard", "server");

  private JvmOptions() {}

  /** The options of {@code process} (one of {@link #PROCESSES}), in the file's order. */
  public static List<String> of(String process) {
    return find(process).orElseThrow(() -> new IllegalArgumentException("no JVM options for '" + process
        + "': the table has " + PROCESSES + " (common/src/main/resources/jvm-options)"));
  }

  private static Optional<List<String>> find(String process) {
    if (!PROCESSES.contains(process)) {
      return Optional.empty();
    }
    try (InputStream in = JvmOptions.class.getResourceAsStream("/jvm-options/" + process)) {
      if (in == null) {
        throw new IllegalStateException("jvm-options/" + process + " is missing from the class path: a broken build");
      }
      return Optional.of(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Non-blank lines that are not {@code #} comments, trimmed: the format {@code bin/daprx} reads too. */
  static List<String> parse(String text) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String t = line.trim();
      if (!t.isEmpty() && !t.startsWith("#")) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /** The heap cap ({@code -Xmx} value, e.g. {@code 128m}) among {@code options}; the last one wins, as in the JVM. */
  public static Optional<String> heapMax(List<String> options) {
    String found = null;
    for (String o : options) {
      if (o.startsWith("-Xmx")) {
        found = o.substring(4);
      }
    }
    return Optional.ofNullable(found);
  }
}
