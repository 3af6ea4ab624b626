package io.daprx.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start another daprx process from this one: the same JVM binary and the same jar (or, when
 * running from a build's class directories, the same class path).
 */
public final class Launcher {

  /**
   * JVM flags of a control-plane process, chosen by measurement: many small JVMs run side by side, so
   * SerialGC, a capped heap and metaspace, small thread stacks. A local cluster sets each component's own heap cap from
   * the control-plane table ({@code Component.heapMax}).
   */
  public static final List<String> COMPONENT_JVM = List.of("-XX:+UseSerialGC", "-Xms8m", "-XX:MinHeapFreeRatio=10",
      "-XX:MaxHeapFreeRatio=30", "-XX:MaxMetaspaceSize=128m", "-Xss512k", "-XX:ReservedCodeCacheSize=32m", "-XX:CICompilerCount=2",
      "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1", "-Dio.grpc.netty.shaded.io.netty.allocator.numHeapArenas=1",
      "-Xshare:auto");

  /** JVM flags of the management server. */
  public static final List<String> SERVER_JVM = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-Xss512k", "-Xshare:auto");

  private Launcher() {}

  public static List<String> command(List<String> jvmFlags) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmFlags);
    Path self = selfLocation();
    if (self != null && Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
      cmd.add("-jar");
      cmd.add(self.toString());
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Main.class.getName());
    }
    return cmd;
  }

  private static Path selfLocation() {
    try {
      return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }
}
