package io.daprx.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start another daprx process from this one: the same JVM binary and the same jar (or, when
 * running from a build's class directories, the same class path). The JVM options of each kind of process come from
 * {@link io.daprx.common.runtime.JvmOptions}, the table {@code bin/daprx} reads too.
 */
public final class Launcher {

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
