package io.daprx.manager.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.daprx.manager.local.ProcessSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class-data archives made and mapped by real JVMs, from a real jar. */
class ClassArchivesTest {

  private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();

  @TempDir
  Path tmp;

  private ClassArchives archives;

  @AfterEach
  void close() {
    if (archives != null) {
      archives.close();
    }
  }

  @Test
  void theFirstLaunchOfAComponentRecordsThenEveryLaunchMapsTheArchiveDumpedOnceTheInstallIsReady() throws Exception {
    Path jar = probeJar(tmp.resolve("v1/daprx.jar"));
    Path dir = tmp.resolve("cds");
    archives = ClassArchives.in(dir, Clock.systemUTC());
    List<String> launcher = List.of(JAVA, "-Xmx32m", "-jar", jar.toString());

    List<String> first = archives.command(spec("dapr-sentry-a", "sentry", launcher));
    assertThat(first).hasSize(launcher.size() + 1).element(1).asString().startsWith("-XX:DumpLoadedClassList=" + dir);
    assertThat(archives.command(spec("dapr-sentry-b", "sentry", launcher))).as("one replica records, not three").isEqualTo(launcher);
    List<String> operator = archives.command(spec("dapr-operator-a", "operator", launcher));
    assertThat(operator.get(1)).startsWith("-XX:DumpLoadedClassList=");
    assertThat(run(first)).contains("probe ran");
    assertThat(run(operator)).contains("probe ran");

    archives.recorded(launcher);
    await().atMost(Duration.ofMinutes(2)).until(() -> archivesIn(dir).size() == 1);

    List<String> mapped = archives.command(spec("dapr-sentry-b", "sentry", launcher));
    assertThat(mapped.subList(1, 4)).isEqualTo(ClassArchives.mapFlags(archivesIn(dir).get(0)));
    List<String> logged = new ArrayList<>(mapped);
    logged.add(1, "-Xlog:class+load=info,cds=info");
    assertThat(run(logged)).as("the jar's own class comes from the archive")
        .contains("io.daprx.manager.deploy.ClassArchivesProbe source: shared objects file").contains("probe ran")
        .as("mapped where its pointers need no patching, so its pages stay clean and shared")
        .contains("Mapped static  region #0").doesNotContain("at an alternative address");
    String archive = archivesIn(dir).get(0).getFileName().toString();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      try (Stream<Path> left = Files.list(dir)) {
        assertThat(left.map(p -> p.getFileName().toString())).as("the recordings go once the archive is made")
            .containsExactlyInAnyOrder(archive, archive.replace(".jsa", ".source"));
      }
    });

    // a rebuilt jar at the same path: recorded and archived anew, and the old build's archive is deleted
    probeJar(jar);
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
    List<String> again = archives.command(spec("dapr-sentry-c", "sentry", launcher));
    assertThat(again.get(1)).startsWith("-XX:DumpLoadedClassList=");
    assertThat(run(again)).contains("probe ran");
    Path old = archivesIn(dir).get(0);
    archives.recorded(launcher);
    await().atMost(Duration.ofMinutes(2)).until(() -> archivesIn(dir).size() == 1 && !archivesIn(dir).get(0).equals(old));
    assertThat(archives.command(spec("dapr-sentry-c", "sentry", launcher)).subList(1, 4))
        .isEqualTo(ClassArchives.mapFlags(archivesIn(dir).get(0)));
  }

  @Test
  void aDumpUnderWayFinishesAfterTheServerClosesAndArchivesOfJarsThatAreGoneAreDeleted() throws Exception {
    Path dir = tmp.resolve("cds");
    Path gone = probeJar(tmp.resolve("versions/1.0.0/daprx.jar"));
    List<String> old = List.of(JAVA, "-jar", gone.toString());
    try (ClassArchives first = ClassArchives.in(dir, Clock.systemUTC())) {
      assertThat(run(first.command(spec("a", "sentry", old)))).contains("probe ran");
      first.recorded(old);
    } // closed at once, as a server stopped right after an install
    await().atMost(Duration.ofMinutes(2)).until(() -> archivesIn(dir).size() == 1);

    // the next server: that version's jar was removed; a dump of another jar deletes its archive
    Files.delete(gone);
    Path kept = probeJar(tmp.resolve("versions/2.0.0/daprx.jar"));
    List<String> now = List.of(JAVA, "-jar", kept.toString());
    archives = ClassArchives.in(dir, Clock.systemUTC());
    assertThat(run(archives.command(spec("a", "sentry", now)))).contains("probe ran");
    archives.recorded(now);
    // one archive left, the kept jar's (the gone one's goes with whichever server prunes first)
    await().atMost(Duration.ofMinutes(2)).until(() -> archivesIn(dir).size() == 1
        && archives.command(spec("b", "sentry", now)).containsAll(ClassArchives.mapFlags(archivesIn(dir).get(0))));
    String archive = archivesIn(dir).get(0).getFileName().toString();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      try (Stream<Path> s = Files.list(dir)) {
        assertThat(s.map(p -> p.getFileName().toString())).as("nothing of the gone jar's is left, nor the recordings")
            .containsExactlyInAnyOrder(archive, archive.replace(".jsa", ".source"));
      }
    });
  }

  @Test
  void theJarsNativeLibrariesForThisMachineAreExtractedOnceAndEveryProcessLoadsTheSameFile() throws Exception {
    int machine = NativeLibraries.elfMachine(System.getProperty("os.arch"));
    org.junit.jupiter.api.Assumptions.assumeTrue(machine > 0 && System.getProperty("os.name").contains("Linux"));
    String arch = machine == 62 ? "x86_64" : "aarch_64";
    String otherArch = machine == 62 ? "aarch_64" : "x86_64";
    // a real library of this machine that loads anywhere (the JDK's libjsig), under the names the jar's libraries have
    byte[] lib = Files.readAllBytes(Path.of(JAVA).getParent().getParent().resolve("lib/libjsig.so"));
    byte[] otherMachine = lib.clone();
    otherMachine[18] = (byte) (machine == 62 ? 183 : 62);
    otherMachine[19] = 0;
    Path jar = probeJar(tmp.resolve("daprx.jar"), Map.of(
        "META-INF/native/libprobe_netty_" + arch + ".so", lib,
        "META-INF/native/libprobe_netty_" + otherArch + ".so", otherMachine,
        "librocksdbjni-probe.so", lib,
        "org/sqlite/native/Linux/" + arch + "/libsqlitejdbc.so", lib));
    Path dir = tmp.resolve("cds");
    archives = ClassArchives.in(dir, Clock.systemUTC());
    List<String> launcher = List.of(JAVA, "-jar", jar.toString());

    List<String> sentry = archives.command(spec("dapr-sentry-a", "sentry", launcher));
    Path natives;
    try (Stream<Path> s = Files.list(dir)) {
      natives = s.filter(p -> p.getFileName().toString().endsWith(".native")).findFirst().orElseThrow();
    }
    assertThat(sentry).contains("-Djava.library.path=" + natives, "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true");
    try (Stream<Path> s = Files.list(natives)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("this machine's libraries that load themselves, and only those")
          .containsExactlyInAnyOrder("libprobe_netty_" + arch + ".so", "librocksdbjni-probe.so");
    }
    Object inode = Files.getAttribute(natives, "unix:ino");

    List<String> placement = archives.command(spec("dapr-placement-0", "placement", launcher));
    assertThat(placement).contains("-Djava.library.path=" + natives);
    assertThat(Files.getAttribute(natives, "unix:ino")).as("extracted once").isEqualTo(inode);
    String shared = "mapped " + natives.resolve("libprobe_netty_" + arch + ".so");
    assertThat(run(append(sentry, "load", "probe_netty_" + arch))).contains("probe ran").contains(shared);
    assertThat(run(append(placement, "load", "probe_netty_" + arch))).contains(shared);

    // another server on the same directory finds them: no second copy
    try (ClassArchives next = ClassArchives.in(dir, Clock.systemUTC())) {
      assertThat(next.command(spec("dapr-sentry-b", "sentry", launcher))).contains("-Djava.library.path=" + natives);
    }
    assertThat(Files.getAttribute(natives, "unix:ino")).isEqualTo(inode);
  }

  @Test
  void commandsThatAreNotAJavaJarAndArchivesTurnedOffAreLaunchedAsTheyAre() throws Exception {
    Path jar = probeJar(tmp.resolve("daprx.jar"));
    archives = ClassArchives.in(tmp.resolve("cds"), Clock.systemUTC());
    List<String> script = List.of("/bin/sh", "-c", "exec sleep 1");
    List<String> classDirs = List.of(JAVA, "-cp", tmp.toString(), "io.daprx.cli.Main", "sentry");
    assertThat(archives.command(spec("a", "sentry", script))).isEqualTo(script);
    assertThat(archives.command(spec("b", "sentry", classDirs))).isEqualTo(classDirs);
    List<String> missingJar = List.of(JAVA, "-jar", tmp.resolve("gone.jar").toString());
    assertThat(archives.command(spec("c", "sentry", missingJar))).isEqualTo(missingJar);

    List<String> launcher = List.of(JAVA, "-jar", jar.toString());
    try (ClassArchives off = ClassArchives.off()) {
      assertThat(off.command(spec("d", "sentry", launcher))).isEqualTo(launcher);
      off.recorded(launcher); // nothing to do, and nothing thrown
    }
    // an install ready before anything was recorded makes no archive
    archives.recorded(launcher);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> archivesIn(tmp.resolve("cds")).isEmpty());
  }

  @Test
  void aDirectoryOthersCanWriteToIsNeverUsedForItWouldLetThemRunCodeInSentry() throws Exception {
    Path jar = probeJar(tmp.resolve("daprx.jar"));
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    archives = ClassArchives.in(shared, Clock.systemUTC());
    List<String> launcher = List.of(JAVA, "-jar", jar.toString());

    assertThat(archives.command(spec("a", "sentry", launcher))).isEqualTo(launcher);
    archives.recorded(launcher);
    try (Stream<Path> s = Files.list(shared)) {
      assertThat(s).isEmpty();
    }

    // a missing directory is made this user's alone
    try (ClassArchives fresh = ClassArchives.in(tmp.resolve("fresh/cds"), Clock.systemUTC())) {
      assertThat(fresh.command(spec("a", "sentry", launcher)).get(1)).startsWith("-XX:DumpLoadedClassList=");
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("fresh/cds"))))
          .isEqualTo("rwx------");
    }
  }

  @Test
  void theDirectoryIsTheHomesUnlessTheSettingNamesOneOrTurnsThemOff() {
    Path home = tmp.resolve("home");
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("DAPRX_NO_CDS") == null, "DAPRX_NO_CDS is set here");
    assertThat(ClassArchives.directory(null, home)).isEqualTo(home.resolve("cds"));
    assertThat(ClassArchives.directory(" ", home)).isEqualTo(home.resolve("cds"));
    assertThat(ClassArchives.directory("/var/cache/daprx", home)).isEqualTo(Path.of("/var/cache/daprx"));
    assertThat(ClassArchives.directory("off", home)).isNull();
  }

  @Test
  void mergedListsKeepEachClassOnceAndLeaveOutCommentsAndALineStillBeingWritten() throws IOException {
    Path lists = Files.createDirectories(tmp.resolve("lists"));
    Files.writeString(lists.resolve("sentry.1.classlist"), "# generated\njava/lang/Object\nio/grpc/Server\nio/daprx/Half");
    Files.writeString(lists.resolve("operator.2.classlist"), "java/lang/Object\n@lambda-proxy a/B run ()V\nio/fabric8/Client\n");
    Files.writeString(lists.resolve("ignored.txt"), "not/a/List\n");
    Path out = tmp.resolve("all.lst");

    assertThat(ClassArchives.merge(lists, out)).isEqualTo(4);
    assertThat(Files.readAllLines(out)).containsExactlyInAnyOrder("java/lang/Object", "io/grpc/Server", "@lambda-proxy a/B run ()V",
        "io/fabric8/Client");
  }

  // ---- helpers

  private static ProcessSpec spec(String name, String component, List<String> command) {
    return ProcessSpec.of(name, component, "1.0.0", 0, command, Map.of(), Path.of("/tmp", name + ".log"), null);
  }

  private static List<Path> archivesIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
    }
  }

  /** A jar whose main class is {@link ClassArchivesProbe}, as a daprx jar names its own. */
  private static Path probeJar(Path jar) throws IOException {
    return probeJar(jar, Map.of());
  }

  /** As {@link #probeJar(Path)}, with more entries (name to content). */
  private static Path probeJar(Path jar, Map<String, byte[]> more) throws IOException {
    Files.createDirectories(jar.getParent());
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, ClassArchivesProbe.class.getName());
    String entry = ClassArchivesProbe.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, m);
        var in = ClassArchivesProbe.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
      for (Map.Entry<String, byte[]> e : more.entrySet()) {
        out.putNextEntry(new JarEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return jar;
  }

  private static List<String> append(List<String> cmd, String... args) {
    List<String> out = new ArrayList<>(cmd);
    out.addAll(List.of(args));
    return out;
  }

  private static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
