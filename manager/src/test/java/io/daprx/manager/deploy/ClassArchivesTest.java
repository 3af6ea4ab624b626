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
  /** A JDK class no JVM loads unless asked to. */
  private static final String OPERATOR_ONLY = "java.util.zip.Adler32";

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
  void theFirstLaunchOfAComponentRecordsThenEveryLaunchMapsItsArchiveDumpedOnceTheInstallIsReady() throws Exception {
    Path jar = probeJar(tmp.resolve("v1/daprx.jar"));
    Path dir = tmp.resolve("cds");
    archives = ClassArchives.in(dir, Clock.systemUTC(), Duration.ZERO);
    List<String> launcher = List.of(JAVA, "-Xmx32m", "-jar", jar.toString());

    List<String> first = archives.command(spec("dapr-sentry-a", "sentry", launcher));
    assertThat(first).hasSize(launcher.size() + 1).element(1).asString().startsWith("-XX:DumpLoadedClassList=" + dir);
    List<String> second = archives.command(spec("dapr-sentry-b", "sentry", launcher));
    assertThat(second.get(1)).as("every replica records: a leader loads what followers do not").startsWith("-XX:DumpLoadedClassList=")
        .isNotEqualTo(first.get(1));
    List<String> operator = archives.command(spec("dapr-operator-a", "operator", launcher));
    assertThat(operator.get(1)).startsWith("-XX:DumpLoadedClassList=");
    assertThat(run(first)).contains("probe ran");
    assertThat(run(second)).contains("probe ran");
    // the operator loads a class sentry does not
    assertThat(run(append(operator, "class", OPERATOR_ONLY))).contains("probe ran");

    archives.recorded(launcher);
    await().atMost(Duration.ofMinutes(2)).until(() -> archivesIn(dir).size() == 3);
    Path base = archiveOf(dir, "base");
    Path sentryArchive = archiveOf(dir, "sentry");
    Path operatorArchive = archiveOf(dir, "operator");

    List<String> mapped = archives.command(spec("dapr-sentry-b", "sentry", launcher));
    assertThat(mapped.subList(1, 4)).isEqualTo(ClassArchives.mapFlags(base, sentryArchive));
    List<String> logged = new ArrayList<>(mapped);
    logged.add(1, "-Xlog:class+load=info,cds=info");
    assertThat(run(append(logged, "class", OPERATOR_ONLY))).as("the jar's own class comes from the archive")
        .contains("io.daprx.manager.deploy.ClassArchivesProbe source: shared objects file").contains("probe ran")
        .as("the base and sentry's layer hold what sentry loads, not what the operator alone does")
        .contains(OPERATOR_ONLY + " source: jrt:/java.base").doesNotContain(OPERATOR_ONLY + " source: shared")
        .as("both mapped where their pointers need no patching, so their pages stay clean and shared")
        .contains("Mapped static  region #0", "Mapped dynamic region #0").doesNotContain("at an alternative address");
    List<String> operatorMapped = new ArrayList<>(archives.command(spec("dapr-operator-b", "operator", launcher)));
    assertThat(operatorMapped.subList(1, 4)).isEqualTo(ClassArchives.mapFlags(base, operatorArchive));
    operatorMapped.add(1, "-Xlog:class+load=info");
    assertThat(run(append(operatorMapped, "class", OPERATOR_ONLY))).as("the operator's own class, from its layer")
        .contains(OPERATOR_ONLY + " source: shared objects file (top)");
    String source = base.getFileName().toString().replace(".base.jsa", ".source");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      try (Stream<Path> left = Files.list(dir)) {
        assertThat(left.map(p -> p.getFileName().toString())).as("the recordings go once the archives are made")
            .containsExactlyInAnyOrder(base.getFileName().toString(), sentryArchive.getFileName().toString(),
                operatorArchive.getFileName().toString(), source);
      }
    });

    // a rebuilt jar at the same path: recorded and archived anew, and the old build's archives are deleted
    probeJar(jar);
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
    List<String> again = archives.command(spec("dapr-sentry-c", "sentry", launcher));
    assertThat(again.get(1)).startsWith("-XX:DumpLoadedClassList=");
    assertThat(run(again)).contains("probe ran");
    archives.recorded(launcher);
    await().atMost(Duration.ofMinutes(2)).until(() -> archivesIn(dir).size() == 2 && !archivesIn(dir).contains(sentryArchive));
    assertThat(archives.command(spec("dapr-sentry-c", "sentry", launcher)).subList(1, 4))
        .isEqualTo(ClassArchives.mapFlags(archiveOf(dir, "base"), archiveOf(dir, "sentry")));
    assertThat(archives.command(spec("dapr-operator-c", "operator", launcher)).get(1))
        .as("a component not recorded for this build records at its next launch").startsWith("-XX:DumpLoadedClassList=");
  }

  @Test
  void aDumpUnderWayFinishesAfterTheServerClosesAndArchivesOfJarsThatAreGoneAreDeleted() throws Exception {
    Path dir = tmp.resolve("cds");
    Path gone = probeJar(tmp.resolve("versions/1.0.0/daprx.jar"));
    List<String> old = List.of(JAVA, "-jar", gone.toString());
    try (ClassArchives first = ClassArchives.in(dir, Clock.systemUTC(), Duration.ZERO)) {
      assertThat(run(first.command(spec("a", "sentry", old)))).contains("probe ran");
      first.recorded(old);
    } // closed at once, as a server stopped right after an install
    await().atMost(Duration.ofMinutes(2)).until(() -> dumped(dir));
    String goneKey = key(archiveOf(dir, "base"));

    // the next server: that version's jar was removed; a dump of another jar deletes its archives
    Files.delete(gone);
    Path kept = probeJar(tmp.resolve("versions/2.0.0/daprx.jar"));
    List<String> now = List.of(JAVA, "-jar", kept.toString());
    archives = ClassArchives.in(dir, Clock.systemUTC(), Duration.ZERO);
    assertThat(run(archives.command(spec("a", "sentry", now)))).contains("probe ran");
    archives.recorded(now);
    // the kept jar's archives are mapped (the gone one's go with whichever server prunes first)
    await().atMost(Duration.ofMinutes(2)).until(() -> dumped(dir) && archivesIn(dir).stream().noneMatch(p -> key(p).equals(goneKey))
        && archives.command(spec("b", "sentry", now)).get(1).startsWith("-XX:SharedArchiveFile=" + archiveOf(dir, "base")));
    String keptKey = key(archiveOf(dir, "base"));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      try (Stream<Path> s = Files.list(dir)) {
        assertThat(s.map(p -> p.getFileName().toString()).toList()).as("nothing of the gone jar's is left, nor the recordings")
            .allMatch(name -> name.startsWith(keptKey + ".")).contains(keptKey + ".base.jsa", keptKey + ".source");
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
    archives = ClassArchives.in(dir, Clock.systemUTC(), Duration.ZERO);
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
    try (ClassArchives next = ClassArchives.in(dir, Clock.systemUTC(), Duration.ZERO)) {
      assertThat(next.command(spec("dapr-sentry-b", "sentry", launcher))).contains("-Djava.library.path=" + natives);
    }
    assertThat(Files.getAttribute(natives, "unix:ino")).isEqualTo(inode);
  }

  @Test
  void commandsThatAreNotAJavaJarAndArchivesTurnedOffAreLaunchedAsTheyAre() throws Exception {
    Path jar = probeJar(tmp.resolve("daprx.jar"));
    archives = ClassArchives.in(tmp.resolve("cds"), Clock.systemUTC(), Duration.ZERO);
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
    archives = ClassArchives.in(shared, Clock.systemUTC(), Duration.ZERO);
    List<String> launcher = List.of(JAVA, "-jar", jar.toString());

    assertThat(archives.command(spec("a", "sentry", launcher))).isEqualTo(launcher);
    archives.recorded(launcher);
    try (Stream<Path> s = Files.list(shared)) {
      assertThat(s).isEmpty();
    }

    // a missing directory is made this user's alone
    try (ClassArchives fresh = ClassArchives.in(tmp.resolve("fresh/cds"), Clock.systemUTC(), Duration.ZERO)) {
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
  void eachComponentsListsAreMergedOnceAndTheBaseHoldsWhatMostComponentsLoad() throws IOException {
    Path lists = Files.createDirectories(tmp.resolve("lists"));
    Files.writeString(lists.resolve("sentry.1.classlist"), "# generated\njava/lang/Object\nio/grpc/Server\nio/daprx/Half");
    Files.writeString(lists.resolve("operator.2.classlist"), "java/lang/Object\n@lambda-proxy a/B run ()V\nio/fabric8/Client\n");
    Files.writeString(lists.resolve("ignored.txt"), "not/a/List\n");

    // as a JDK 21+ writes them: each class numbered, and a class of another loader naming its supertypes by number
    Files.writeString(lists.resolve("sentry.3.classlist"), "io/grpc/Server id: 7\njava/util/zip/CRC32 id: 8\n"
        + "a/Custom id: 9 super: 0 source: /tmp/x.jar\n");

    assertThat(ClassArchives.recordedComponents(lists)).containsExactly("operator", "sentry");
    List<String> sentry = ClassArchives.merge(lists, "sentry");
    assertThat(sentry).containsExactlyInAnyOrder("java/lang/Object", "io/grpc/Server", "java/util/zip/CRC32");
    List<String> operator = ClassArchives.merge(lists, "operator");
    assertThat(operator).containsExactly("java/lang/Object", "@lambda-proxy a/B run ()V", "io/fabric8/Client");
    assertThat(ClassArchives.merge(lists, "injector")).isEmpty();

    // the base holds what more than half of the components load
    assertThat(ClassArchives.shared(List.of(sentry, operator))).containsExactly("java/lang/Object");
    assertThat(ClassArchives.shared(List.of(sentry, operator, List.of("io/grpc/Server", "x/Y")))).containsExactlyInAnyOrder(
        "java/lang/Object", "io/grpc/Server");
    assertThat(ClassArchives.shared(List.of(sentry))).as("one component: all of it").hasSize(3);

    // what the preloader loads of a list: the classes of the built-in loaders
    assertThat(ClassPreloader.className("java/lang/Object id: 0")).isEqualTo("java.lang.Object");
    assertThat(ClassPreloader.className("io/grpc/Server")).isEqualTo("io.grpc.Server");
    assertThat(ClassPreloader.className("@lambda-proxy a/B run ()V")).isNull();
    assertThat(ClassPreloader.className("a/Custom id: 9 super: 0 source: /tmp/x.jar")).isNull();
    assertThat(ClassPreloader.className("# comment")).isNull();
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

  /** Whether every recorded list has been dumped: none is left (the native libraries' directory aside). */
  private static boolean dumped(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.noneMatch(p -> Files.isDirectory(p) && !p.getFileName().toString().endsWith(".native"));
    }
  }

  /** The jar-and-JVM key an archive's name starts with. */
  private static String key(Path archive) {
    String name = archive.getFileName().toString();
    return name.substring(0, name.indexOf('.'));
  }

  private static Path archiveOf(Path dir, String component) throws IOException {
    return archivesIn(dir).stream().filter(p -> p.getFileName().toString().endsWith("." + component + ".jsa")).findFirst()
        .orElseThrow(() -> new AssertionError("no archive of " + component + " in " + dir));
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
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, m)) {
      // the probe, and the preloader the dumps run from the jar, as a daprx jar carries it
      for (Class<?> c : List.of(ClassArchivesProbe.class, ClassPreloader.class)) {
        String entry = c.getName().replace('.', '/') + ".class";
        try (var in = c.getClassLoader().getResourceAsStream(entry)) {
          out.putNextEntry(new JarEntry(entry));
          in.transferTo(out);
          out.closeEntry();
        }
      }
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
