package io.daprx.interop.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where kube-apiserver, kube-controller-manager and etcd are: {@code -Ddaprx.kube.dir} (bin/interop sets it), else the
 * cache directory {@code bin/build-peers --kube --print-dir} names, so one IT class runs from an IDE or plain Maven.
 */
final class KubeBinaries {

  private KubeBinaries() {}

  static Path dir() {
    String set = System.getProperty("daprx.kube.dir");
    if (set != null && !set.isBlank()) {
      return Path.of(set.trim());
    }
    Path script = Path.of("..", "bin", "build-peers").toAbsolutePath().normalize();
    try {
      Process p = new ProcessBuilder(script.toString(), "--kube", "--print-dir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0 || out.isEmpty()) {
        throw new IllegalStateException(script + " --kube --print-dir failed: " + out);
      }
      Path dir = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
      if (!Files.isExecutable(dir.resolve("kube-apiserver"))) {
        throw new IllegalStateException(dir + " has no kube-apiserver: build it with bin/build-peers --kube");
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
