package io.daprx.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Figures a load generator leaves for a script to compare: one {@code key value} line each, appended, so several runs
 * against the same target (rounds) add up in one file. {@code bench/versus-upstream.sh} keeps one file per target and
 * {@link VersusReport} reads them.
 */
final class Results {

  private final Path file;
  private final StringBuilder pending = new StringBuilder();

  /** Nothing is written when {@code file} is null. */
  Results(Path file) {
    this.file = file;
  }

  Results put(String key, double value) {
    if (key.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("a results key has no blanks: '" + key + "'");
    }
    pending.append(key).append(' ').append(String.format(Locale.ROOT, "%.6f", value)).append('\n');
    return this;
  }

  /** Appends what was put since the last flush. */
  void flush() {
    if (file == null || pending.length() == 0) {
      return;
    }
    try {
      Files.writeString(file, pending, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + file + ": " + e.getMessage(), e);
    }
    pending.setLength(0);
  }

  /** Every value of every key, in file order; an absent file reads as empty. */
  static Map<String, List<Double>> read(Path file) throws IOException {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file)) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] kv = t.split("\\s+");
      if (kv.length != 2) {
        throw new IOException(file + ": not a 'key value' line: " + line);
      }
      out.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Double.parseDouble(kv[1]));
    }
    return out;
  }
}
