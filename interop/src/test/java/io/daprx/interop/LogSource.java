package io.daprx.interop;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/** Something whose last lines explain a failure: a daprd's log file, a control-plane pod's, an app's request log. */
record LogSource(String label, Supplier<List<String>> lines) {

  static LogSource file(String label, Path file) {
    return new LogSource(label + " (" + file + ")", () -> tail(file, 256 * 1024));
  }

  /** The last {@code n} lines, for a failure report. */
  List<String> tail(int n) {
    List<String> all = lines.get();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  /** The end of a file (at most {@code maxBytes} of it), as lines; a missing file is one line saying so. */
  static List<String> tail(Path file, int maxBytes) {
    if (!Files.exists(file)) {
      return List.of("(no such file)");
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = Math.max(0, len - maxBytes);
      byte[] buf = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(buf);
      List<String> lines = new ArrayList<>(Arrays.asList(new String(buf, StandardCharsets.UTF_8).split("\n")));
      if (from > 0 && !lines.isEmpty()) {
        lines.remove(0); // a partial line
      }
      return lines;
    } catch (IOException e) {
      return List.of("(cannot read: " + e.getMessage() + ")");
    }
  }
}
