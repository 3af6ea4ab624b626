package io.daprx.interop.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where kube-apiserver, kube-controller-manager and etcd are: {@code -Ddaprx.kube.dir} (bin/interop sets it), else the
 * cache directory {@code bin/build-peers --kube --print-dir} names, so one IT class runs from an IDE or plain Maven. The
 * same for upstream's daprd: {@code -Ddaprx.peers.dir}, else {@code bin/build-peers --print-dir}.
 */
final class KubeBinaries {

  private KubeBinaries() {}

  static Path dir() {
    return cached("daprx.kube.dir", "kube-apiserver", "--kube", "--print-dir");
  }

  /** Upstream's daprd (1.18) from the real-peers cache. */
  static Path daprd() {
    return cached("daprx.peers.dir", "daprd", "--print-dir").resolve("daprd");
  }

  private static Path cached(String property, String binary, String... flags) {
    String set = System.getProperty(property);
    if (set != null && !set.isBlank()) {
      return Path.of(set.trim());
    }
    Path script = Path.of("..", "bin", "build-peers").toAbsolutePath().normalize();
    String build = String.join(" ", java.util.stream.Stream.concat(java.util.stream.Stream.of("bin/build-peers"),
        java.util.Arrays.stream(flags).filter(f -> !f.equals("--print-dir"))).toList());
    try {
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(script.toString()));
      command.addAll(java.util.List.of(flags));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || out.isEmpty()) {
        throw new IllegalStateException(script + " " + String.join(" ", flags) + " failed: " + out);
      }
      Path dir = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
      if (!Files.isExecutable(dir.resolve(binary))) {
        throw new IllegalStateException(dir + " has no " + binary + ": build it with " + build);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + script + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
