package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.common.runtime.JvmOptions;
import io.daprx.manager.deploy.Distributions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One table owns each process's JVM options: a component started by a local install and the same component started
 * with {@code bin/daprx <component>} (the container images' entry point) get the same options, and so does the
 * management server whether the CLI or {@code bin/daprx server} starts it. bin/daprx runs here with a stand-in
 * {@code java} that records its arguments, so no JVM starts.
 */
class JvmOptionsTableTest {

  private static final Path DAPRX = Path.of("..", "bin", "daprx").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  @Test
  void binDaprxReadsTheJarsTableAsTheLocalInstallDoes() throws Exception {
    Path jar = jarWithTheTable(dir.resolve("daprx.jar")); // no jvm-options folder beside it: bin/daprx reads the jar
    for (String process : JvmOptions.PROCESSES) {
      List<String> local = Distributions.withJvmOptions(Launcher.command(List.of()), JvmOptions.of(process));
      // the dashboard component is 'daprx dashboard serve'; a plain 'daprx dashboard' opens the running one (a client)
      String[] command = process.equals("dashboard") ? new String[] {"dashboard", "serve"} : new String[] {process};
      assertThat(jvmOptions(local)).as(process).isNotEmpty().isEqualTo(binDaprx(jar, command));
    }
    List<String> server = Launcher.command(JvmOptions.of("server"));
    assertThat(jvmOptions(server)).isEqualTo(binDaprx(jar, "server"));
  }

  @Test
  void binDaprxPrefersTheFolderTheBuildWritesBesideTheJar() throws Exception {
    Path jar = Files.createDirectories(dir.resolve("beside")).resolve("daprx.jar");
    Files.writeString(jar, "not a zip: the folder must be read instead");
    Path table = Files.createDirectories(jar.resolveSibling("jvm-options"));
    Files.writeString(table.resolve("placement"), "# a comment\n  -Xmx64m  \n\n-XX:+UseSerialGC\n");
    assertThat(binDaprx(jar, "placement")).containsExactly("-Xmx64m", "-XX:+UseSerialGC");
  }

  @Test
  void aClientCommandKeepsTheFastClientFlags() throws Exception {
    Path jar = jarWithTheTable(dir.resolve("daprx.jar"));
    assertThat(binDaprx(jar, "scheduler", "list")).contains("-XX:TieredStopAtLevel=1").doesNotContain("-Xmx448m");
    assertThat(binDaprx(jar, "server", "stop")).contains("-XX:TieredStopAtLevel=1");
    assertThat(binDaprx(jar, "dashboard", "-p", "9999")).contains("-XX:TieredStopAtLevel=1").doesNotContain("-Xmx128m");
    assertThat(binDaprx(jar, "dashboard", "--mode", "local")).isEqualTo(binDaprx(jar, "dashboard", "serve"));
  }

  /** The JVM options of a launcher: between the java binary and the jar or class path. */
  private static List<String> jvmOptions(List<String> argv) {
    int end = argv.indexOf("-jar") >= 0 ? argv.indexOf("-jar") : argv.indexOf("-cp");
    return argv.subList(1, end);
  }

  private List<String> binDaprx(Path jar, String... args) throws IOException, InterruptedException {
    Path record = dir.resolve("argv-" + System.nanoTime());
    Path java = dir.resolve("java");
    Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$RECORD\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    List<String> cmd = new ArrayList<>(List.of("bash", DAPRX.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DAPRX_JAR", jar.toString());
    pb.environment().put("DAPRX_JAVA", java.toString());
    pb.environment().put("DAPRX_NO_CDS", "1");
    pb.environment().put("RECORD", record.toString());
    pb.environment().remove("DAPRX_JAVA_OPTS");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    List<String> argv = Files.readAllLines(record);
    return argv.subList(0, argv.indexOf("-jar"));
  }

  /** A jar holding the table's files as the build packs them (jvm-options/&lt;process&gt;). */
  private static Path jarWithTheTable(Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (String process : JvmOptions.PROCESSES) {
        zip.putNextEntry(new ZipEntry("jvm-options/" + process));
        try (InputStream in = JvmOptions.class.getResourceAsStream("/jvm-options/" + process)) {
          in.transferTo(zip);
        }
        zip.closeEntry();
      }
    }
    return jar;
  }
}
