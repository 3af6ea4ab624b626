package io.daprx.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the suite runs, from the system properties {@code bin/interop} sets (see interop/pom.xml): upstream's binaries
 * built by {@code bin/build-peers}, the packaged daprx jar and its launcher, and an optional scheduler address.
 *
 * @param launcher {@code bin/daprx}, or null to run {@code java -jar daprx.jar}
 * @param schedulerAddress empty = ours (the cluster's scheduler Service once installed, else {@code daprx scheduler}
 *     started beside the cluster); "upstream" = upstream's scheduler on the cluster's sentry; "none" = daprd runs
 *     without a scheduler; else {@code host:port,...} given to every daprd as {@code --scheduler-host-address}
 */
record InteropSettings(Path peersDir, Path daprxJar, Path launcher, Optional<String> schedulerAddress) {

  static InteropSettings fromSystemProperties() {
    String peers = property("daprx.peers.dir");
    String jar = property("daprx.jar");
    if (peers == null || jar == null) {
      throw new IllegalStateException("daprx.peers.dir and daprx.jar are not set: run the suite with bin/interop "
          + "(or ./mvnw -Pinterop -pl interop -am verify -Ddaprx.peers.dir=$(bin/build-peers --print-dir) -Ddaprx.jar=$PWD/cli/target/daprx.jar)");
    }
    Path launcher = property("daprx.launcher") == null ? null : Path.of(property("daprx.launcher"));
    InteropSettings s = new InteropSettings(Path.of(peers), Path.of(jar), launcher, Optional.ofNullable(property("daprx.interop.scheduler")));
    if (!Files.isExecutable(s.daprd())) {
      throw new IllegalStateException(s.daprd() + " is missing: build upstream's binaries with bin/build-peers");
    }
    if (!Files.isRegularFile(s.daprxJar())) {
      throw new IllegalStateException(s.daprxJar() + " is missing: ./mvnw -B -q -DskipTests package");
    }
    return s;
  }

  /** Upstream's daprd (1.18, -tags stablecomponents). */
  Path daprd() {
    return peersDir.resolve("daprd");
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
