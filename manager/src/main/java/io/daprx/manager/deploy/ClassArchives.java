package io.daprx.manager.deploy;

import io.daprx.common.runtime.DaemonThreads;
import io.daprx.manager.local.LaunchDecorator;
import io.daprx.manager.local.ProcessSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data-sharing archives (the JDK's AppCDS) of the daprx jars that local clusters run. A component JVM spends most
 * of its start-up CPU finding, parsing and verifying the same few thousand classes; from an archive it maps them
 * read-only instead, starting on about 60 % of the CPU, and every JVM of the machine that maps the same archive shares
 * those pages (bench/README.md, "Class-data sharing").
 *
 * <p>An archive is valid only for the jar and the JVM that made it, so it is made here, on first use: the first launch of
 * each component of a jar that has no archive yet records the classes it loads ({@code -XX:DumpLoadedClassList}); once an
 * install of that jar is ready, {@link #recorded} dumps the archives in the background, and every launch after that maps
 * them ({@code -XX:SharedArchiveFile}).
 *
 * <p>Two layers, so that a process touches little it does not use while the machine still maps what all share once: a
 * base archive of the classes that most recorded components load (the JDK's, gRPC's, Netty's, logging, ...), mapped by
 * every process, and on top of it each component's own layer ({@code -XX:ArchiveClassesAtExit} while {@link
 * ClassPreloader} loads that component's list), mapped by its replicas. A process touches the pages that hold the
 * classes it loads and, as the kernel maps a read fault's neighbours too, the pages around them: with one archive of
 * every component's classes (14,700 classes, 104 MB) a dashboard loading 4,600 of them touched 62 MiB of it and had 107
 * MiB RSS, with an archive of its own classes 80 MiB; but one archive per component made the machine map the classes
 * they share seven times (PSS of an HA install 1,395 → 1,527 MiB) (bench/README.md, "Class-data sharing").
 *
 * <p>The same directory holds each jar's native libraries for this machine, extracted once ({@link NativeLibraries}), so
 * that every component JVM maps the same files instead of a private copy each.
 *
 * <p>The flags are added at launch ({@link LaunchDecorator}), outside the pod's spec: an archive appearing never makes a
 * pod count as changed.
 */
public final class ClassArchives implements LaunchDecorator, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClassArchives.class);
  /** The longest a dump may take; on a loaded two-core machine one took 7 s. */
  static final Duration DUMP_TIMEOUT = Duration.ofMinutes(3);
  private static final String LIST_SUFFIX = ".classlist";
  private static final String SOURCE_SUFFIX = ".source";
  private static final String NATIVE_SUFFIX = ".native";

  private final Path dir;
  private final Clock clock;
  /**
   * How long after an install is ready its recordings are dumped: a component keeps loading classes once it is ready
   * (placement's replicas loaded ~970 more, Ratis' peer traffic, in the seconds after), and a class missing from its
   * archive costs each replica its metadata in private memory (~8 KB a class).
   */
  static final Duration DUMP_SETTLE = Duration.ofSeconds(30);

  private final Duration settle;
  /** Runs the dumps, one at a time; made by the first {@link #recorded} (a CLI that only starts a server needs none). */
  private ScheduledExecutorService dumps;
  private boolean closed;
  /** {@code key/component} pairs whose layer was dumped, is being dumped or failed in this server's life: tried once. */
  private final Set<String> tried = ConcurrentHashMap.newKeySet();
  /** Keys whose native libraries this server has extracted, found, or failed to extract: each is tried once. */
  private final Set<String> nativesTried = ConcurrentHashMap.newKeySet();
  /** {@code key/component} pairs whose leftover recordings this server has deleted. */
  private final Set<String> tidied = ConcurrentHashMap.newKeySet();
  /** Whether {@link #dir} may be used; null until first looked at. */
  private volatile Boolean safe;

  private ClassArchives(Path dir, Clock clock, Duration settle) {
    this.dir = dir;
    this.clock = clock;
    this.settle = settle;
  }

  /**
   * Where the archives are kept for a server on {@code home}, from its setting ({@code --class-archive-dir} or
   * {@code DAPRX_CLASS_ARCHIVE_DIR}): unset means {@code cds} in the home, unless {@code DAPRX_NO_CDS} turns class-data
   * sharing off (as it does for bin/daprx's client archive); {@code off} means none (null).
   */
  public static Path directory(String setting, Path home) {
    if (setting == null || setting.isBlank()) {
      String noCds = System.getenv("DAPRX_NO_CDS");
      return noCds != null && !noCds.isBlank() ? null : home.resolve("cds");
    }
    return setting.equals("off") ? null : Path.of(setting);
  }

  /** Archives kept in {@code dir}, one set per jar and JVM, dumped {@link #DUMP_SETTLE} after an install is ready. */
  public static ClassArchives in(Path dir, Clock clock) {
    return in(dir, clock, DUMP_SETTLE);
  }

  /** As {@link #in(Path, Clock)}, dumping {@code settle} after an install is ready. */
  static ClassArchives in(Path dir, Clock clock, Duration settle) {
    return new ClassArchives(dir.toAbsolutePath().normalize(), clock, settle);
  }

  /** No archives: every launch is the spec's command as it is. */
  public static ClassArchives off() {
    return new ClassArchives(null, Clock.systemUTC(), Duration.ZERO);
  }

  /**
   * The spec's command with the archive's flag when its jar has one, with the flag that records its classes when it is
   * the first launch of its component without one, and with the flags that load the jar's native libraries from their
   * shared copy. Only {@code java … -jar FILE.jar} commands are touched.
   */
  @Override
  public List<String> command(ProcessSpec spec) {
    return command(spec.component(), spec.command());
  }

  /** As {@link #command(ProcessSpec)}, for a process of this kind (a component, or the management server) run by {@code cmd}. */
  public List<String> command(String component, List<String> cmd) {
    Optional<String> key = key(cmd);
    if (key.isEmpty() || !safeDir()) {
      return cmd;
    }
    List<String> withLibraries = withFlags(cmd, libraryFlags(key.get(), jar(cmd)));
    return withFlags(withLibraries, archiveFlags(key.get(), component, cmd));
  }

  /** The flags that load the jar's native libraries from their shared copy, extracted by the first launch; none without. */
  private synchronized List<String> libraryFlags(String key, Path jar) {
    Path natives = dir.resolve(key + NATIVE_SUFFIX);
    if (!Files.isDirectory(natives) && nativesTried.add(key)) {
      try {
        int n = NativeLibraries.extract(jar, natives);
        if (n > 0) {
          writeSource(key, jar);
          LOG.info("{} native libraries of {} extracted to {}: every component shares them", n, jar, natives);
        }
      } catch (IOException e) {
        LOG.warn("cannot extract the native libraries of {} to {} (each process copies its own): {}", jar, natives, e.getMessage());
      }
    }
    if (!Files.isDirectory(natives)) {
      return List.of();
    }
    List<String> flags = new ArrayList<>();
    flags.add("-Djava.library.path=" + natives);
    flags.addAll(NativeLibraries.FLAGS_AFTER_PATH);
    return flags;
  }

  /**
   * The flags that map the base and the component's layer; that record the classes the process loads while its
   * component has no layer and none is being dumped (every replica: a Raft leader loads classes its followers do not);
   * that map the base alone for a component without a layer being dumped or whose dump failed; or none.
   */
  private List<String> archiveFlags(String key, String component, List<String> cmd) {
    Path base = archive(key, BASE);
    Path layer = archive(key, component);
    Path lists = dir.resolve(key);
    String id = key + "/" + component;
    if (Files.isRegularFile(base) && Files.isRegularFile(layer)) {
      // the recordings of a dump that finished after its server stopped
      if (tidied.add(id)) {
        deleteLists(lists, component);
      }
      return mapFlags(base, layer);
    }
    if (tried.contains(id)) {
      return Files.isRegularFile(base) ? mapFlags(base, null) : List.of();
    }
    try {
      Files.createDirectories(lists);
    } catch (IOException e) {
      LOG.warn("cannot create {} (no class-data archive for {}): {}", lists, jar(cmd), e.getMessage());
      return List.of();
    }
    // a name of its own: a second server sharing the directory may record the same component at the same time
    Path list = lists.resolve(component + "." + Long.toHexString(System.nanoTime()) + LIST_SUFFIX);
    return List.of("-XX:DumpLoadedClassList=" + list);
  }

  /**
   * Whether the directory is this user's alone, created so when missing. An archive is code the JVM maps into sentry (which
   * holds the CA's key) without checking it, so a directory another user can write to is never used; checked once.
   */
  private boolean safeDir() {
    Boolean known = safe;
    if (known != null) {
      return known;
    }
    boolean ok;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      }
      java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class);
      Set<java.nio.file.attribute.PosixFilePermission> p = a.permissions();
      // who "this user" is: the owner of a file made here now (user.name can be anything, or '?', in a container)
      Path probe = Files.createTempFile(dir, ".owner", ".tmp");
      java.nio.file.attribute.UserPrincipal self;
      try {
        self = Files.getOwner(probe);
      } finally {
        Files.deleteIfExists(probe);
      }
      ok = a.owner().equals(self)
          && !p.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
          && !p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
      if (!ok) {
        LOG.warn("not using class-data archives in {}: it must belong to {} and be writable by no one else (chmod go-w)", dir,
            self.getName());
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("not using class-data archives in {}: {}", dir, e.getMessage());
      ok = false;
    }
    safe = ok;
    return ok;
  }

  /**
   * An install run by {@code launcher} is ready, so what its components load at start has been recorded: dumps, in the
   * background once the install has settled ({@link #DUMP_SETTLE}), the base archive if there is none yet (from every
   * list recorded) and the layer of every component recorded and not yet archived, once per server life (a failed dump
   * is logged with where its output is, and not retried until the next server start).
   */
  public void recorded(List<String> launcher) {
    Optional<String> key = key(launcher);
    if (key.isEmpty() || !safeDir()) {
      return;
    }
    List<String> components = new ArrayList<>();
    for (String component : recordedComponents(dir.resolve(key.get()))) {
      if (!Files.isRegularFile(archive(key.get(), component)) && tried.add(key.get() + "/" + component)) {
        components.add(component);
      }
    }
    if (components.isEmpty()) {
      return;
    }
    String java = launcher.get(0);
    Path jar = jar(launcher);
    synchronized (this) {
      if (closed) {
        return;
      }
      if (dumps == null) {
        dumps = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("class-archive-dump"));
      }
      dumps.schedule(() -> dump(key.get(), java, jar, components), settle.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Dumps in a shell that moves each archive into place itself: a server stopped right after an install (a test, a user's
   * {@code server stop}) leaves the dumps to finish, and the next server finds the archives.
   */
  private void dump(String key, String java, Path jar, List<String> components) {
    Path lists = dir.resolve(key);
    Path base = archive(key, BASE);
    Path log = dir.resolve(key + ".dump.log");
    Instant start = clock.instant();
    boolean detached = false;
    List<Path> temps = new ArrayList<>();
    try {
      // every component's lists when the base is to be made from them, else only those of the layers to dump
      boolean makeBase = !Files.isRegularFile(base);
      Map<String, List<String>> recorded = new java.util.TreeMap<>();
      for (String component : makeBase ? recordedComponents(lists) : components) {
        recorded.put(component, merge(lists, component));
      }
      String baseList = "";
      if (makeBase) {
        List<String> shared = shared(recorded.values());
        if (shared.isEmpty()) {
          LOG.debug("no classes recorded for {}; no class-data archive", jar);
          return;
        }
        Path out = lists.resolve(BASE + ".all");
        Files.write(out, shared, StandardCharsets.UTF_8);
        baseList = out.toString();
        temps.add(Path.of(base + ".tmp"));
      }
      List<String> args = new ArrayList<>(List.of("/bin/sh", "-c", DUMP_SCRIPT, "sh", java, jar.toString(), base.toString(), baseList,
          ClassPreloader.class.getName()));
      List<String> dumped = new ArrayList<>();
      for (String component : components) {
        List<String> lines = recorded.getOrDefault(component, List.of());
        if (!lines.isEmpty()) {
          Path merged = lists.resolve(component + ".all");
          Files.write(merged, lines, StandardCharsets.UTF_8);
          Path tmp = dir.resolve(key + "." + component + ".jsa.tmp");
          Files.deleteIfExists(tmp);
          temps.add(tmp);
          dumped.add(component);
          args.addAll(List.of(merged.toString(), tmp.toString(), archive(key, component).toString()));
        }
      }
      if (dumped.isEmpty()) {
        return;
      }
      // which jar the archives are of: archives of jars gone are deleted (pruneGone)
      writeSource(key, jar);
      Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      boolean done;
      try {
        done = p.waitFor(DUMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        detached = true; // the server is stopping: the dumps go on without it
        Thread.currentThread().interrupt();
        return;
      }
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        LOG.warn("the class-data archives of {} took over {} s to dump; components start without them (output: {})", jar,
            DUMP_TIMEOUT.toSeconds(), log);
        return;
      }
      if (!Files.isRegularFile(base)) {
        LOG.warn("the class-data archive of {} could not be dumped (exit {}); components start without it (output: {})", jar,
            p.exitValue(), log);
        return;
      }
      deleteLists(lists, BASE);
      List<String> missing = dumped.stream().filter(c -> !Files.isRegularFile(archive(key, c))).toList();
      if (!missing.isEmpty()) {
        LOG.warn("the class-data archive layers of {} for {} could not be dumped (exit {}); they map the base alone (output: {})",
            jar, missing, p.exitValue(), log);
      } else {
        Files.deleteIfExists(log);
      }
      long bytes = Files.size(base);
      for (String component : dumped) {
        if (!missing.contains(component)) {
          bytes += Files.size(archive(key, component));
          deleteLists(lists, component);
        }
      }
      LOG.info("class-data archives of {} ready: a base and layers for {}, {} MB, dumped in {} ms; components map them from "
          + "their next start", jar, dumped.stream().filter(c -> !missing.contains(c)).toList(), bytes >> 20,
          Duration.between(start, clock.instant()).toMillis());
      pruneOlder(key);
      pruneGone();
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot dump the class-data archives of {}; components start without them: {}", jar, e.getMessage());
    } finally {
      if (!detached) {
        for (Path tmp : temps) {
          try {
            Files.deleteIfExists(tmp);
          } catch (IOException ignored) {
            // a leftover temp file is replaced by the next dump
          }
        }
      }
    }
  }

  /** The base archive's name in place of a component's. */
  static final String BASE = "base";

  /**
   * {@code sh -c} script: {@code java jar base baseList preloader}, then a (class list, temp file, layer) triple per
   * component. Dumps the base from its list unless the list is empty (the base exists), moving it into place when whole,
   * then each component's layer on top of it, going on past a failed one; exits non-zero when one failed.
   */
  private static final String DUMP_SCRIPT = """
      java="$1"; jar="$2"; base="$3"; list="$4"; preloader="$5"; shift 5; status=0
      if [ -n "$list" ]; then
        "$java" -Xshare:dump -Xmx512m -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$base.tmp" -cp "$jar" \
          && mv -f "$base.tmp" "$base" || exit 1
      fi
      while [ $# -ge 3 ]; do
        "$java" -Xmx512m -XX:SharedArchiveFile="$base" -XX:ArchiveClassesAtExit="$2" -XX:+UnlockDiagnosticVMOptions \
          -XX:ArchiveRelocationMode=0 -cp "$jar" "$preloader" "$1" && mv -f "$2" "$3" || status=1
        shift 3
      done
      exit $status
      """;

  /**
   * The base archive's list: the lines that more than half of the components' lists hold, in the order first seen. On
   * an HA install (7 lists, 15,600 classes in all) that is ~6,000 classes, of which each component loads 79–92 % (the
   * dashboard 42 %); what fewer components share goes into their layers.
   */
  static List<String> shared(java.util.Collection<List<String>> perComponent) {
    Map<String, Integer> count = new java.util.LinkedHashMap<>();
    for (List<String> lines : perComponent) {
      for (String line : lines) {
        count.merge(line, 1, Integer::sum);
      }
    }
    int threshold = perComponent.size() / 2 + 1;
    return count.entrySet().stream().filter(e -> e.getValue() >= threshold).map(Map.Entry::getKey).toList();
  }

  /** Records which jar the key's files are of: they are deleted once it is gone ({@link #pruneGone}). */
  private void writeSource(String key, Path jar) throws IOException {
    Files.writeString(dir.resolve(key + SOURCE_SUFFIX), jar.toRealPath() + "\n", StandardCharsets.UTF_8);
  }

  /** Deletes the archives of jars that are gone (a removed version, a deleted home's copy) with what belongs to them. */
  private void pruneGone() {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SOURCE_SUFFIX)) {
      for (Path source : ds) {
        String name = source.getFileName().toString();
        String key = name.substring(0, name.length() - SOURCE_SUFFIX.length());
        if (!Files.exists(Path.of(Files.readString(source, StandardCharsets.UTF_8).strip()))) {
          deleteMatching(dir, key + ".*.jsa"); // the base and every layer
          deleteTree(dir.resolve(key));
          deleteTree(dir.resolve(key + NATIVE_SUFFIX));
          Files.deleteIfExists(source);
          LOG.debug("deleted the class-data archive {}: its jar is gone", key);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot prune class-data archives in {}: {}", dir, e.getMessage());
    }
  }

  /**
   * Every line of {@code component}'s recorded lists once ({@link #mergeable}), in the order first seen. A recording
   * process may still be writing its list (it records what it loads for its whole life), so a last line without its
   * newline is left out, as are the lists' comments.
   */
  static List<String> merge(Path lists, String component) throws IOException {
    Set<String> lines = new LinkedHashSet<>();
    if (Files.isDirectory(lists)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(lists, component + ".*" + LIST_SUFFIX)) {
        for (Path list : ds) {
          String text = Files.readString(list, StandardCharsets.UTF_8);
          int end = text.lastIndexOf('\n');
          for (String line : text.substring(0, end + 1).split("\n")) {
            String merged = mergeable(line);
            if (merged != null) {
              lines.add(merged);
            }
          }
        }
      }
    }
    return List.copyOf(lines);
  }

  /**
   * A recorded line as the merged list holds it, or null for none. Newer JDKs (21+) number each class in their lists
   * ({@code java/lang/Object id: 0}), and the numbers of one process mean nothing in another's list: they are dropped
   * (a dump of lists merged with them fails on the first duplicate), and with them the lines of classes from other
   * loaders, which refer to their supertypes by those numbers.
   */
  static String mergeable(String line) {
    if (line.isBlank() || line.startsWith("#") || line.contains(" source:")) {
      return null;
    }
    return line.startsWith("@") ? line : line.replaceFirst(" id: \\d+$", "");
  }

  /** The components that have a recorded list in {@code lists}, each once. */
  static Set<String> recordedComponents(Path lists) {
    Set<String> out = new java.util.TreeSet<>();
    if (Files.isDirectory(lists)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(lists, "*" + LIST_SUFFIX)) {
        for (Path list : ds) {
          String name = list.getFileName().toString();
          int dot = name.indexOf('.');
          if (dot > 0) {
            out.add(name.substring(0, dot));
          }
        }
      } catch (IOException e) {
        LOG.debug("cannot list {}: {}", lists, e.getMessage());
      }
    }
    return out;
  }

  /** Deletes {@code component}'s recordings, and the recordings' directory once it holds none. */
  private static void deleteLists(Path lists, String component) {
    if (!Files.isDirectory(lists)) {
      return;
    }
    try {
      deleteMatching(lists, component + ".*");
      try (var left = Files.list(lists)) {
        if (left.findAny().isEmpty()) {
          Files.deleteIfExists(lists);
          Files.deleteIfExists(lists.resolveSibling(lists.getFileName() + ".dump.log"));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("cannot delete the recordings of {} in {}: {}", component, lists, e.getMessage());
    }
  }

  /** Deletes the files in {@code dir} whose names match {@code glob}. */
  private static void deleteMatching(Path dir, String glob) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
      for (Path p : ds) {
        Files.deleteIfExists(p);
      }
    }
  }


  /** Deletes the archives (and recordings) of earlier builds of the same jar path: a rebuilt jar never maps them again. */
  private void pruneOlder(String key) {
    String jarPart = key.substring(0, key.indexOf('-') + 1);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, jarPart + "*")) {
      for (Path p : ds) {
        if (!p.getFileName().toString().startsWith(key)) {
          deleteTree(p);
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot prune older class-data archives in {}: {}", dir, e.getMessage());
    }
  }

  /** Deletes a file or a tree; what another thread or server deletes at the same time is no error. */
  static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p)) {
      List<Path> all;
      try (var walk = Files.walk(p)) {
        all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
      } catch (java.nio.file.NoSuchFileException | UncheckedIOException gone) {
        return;
      }
      for (Path q : all) {
        try {
          Files.deleteIfExists(q);
        } catch (java.nio.file.DirectoryNotEmptyException racing) {
          // a recording still being written beside a dump: left to the next tidy
        }
      }
    } else {
      Files.deleteIfExists(p);
    }
  }


  /** {@code component}'s archive of the jar and JVM {@code key} stands for. */
  private Path archive(String key, String component) {
    return dir.resolve(key + "." + component + ".jsa");
  }

  /**
   * {@code <jar path hash>-<jar and JVM identity hash>} of a {@code java … -jar FILE.jar …} command; empty when archives
   * are off, the command is not one, or a file of it cannot be read. The identity is what the JVM checks an archive
   * against: the jar's size and time, and the JDK's files.
   */
  private Optional<String> key(List<String> cmd) {
    Path jar = dir == null ? null : jar(cmd);
    if (jar == null) {
      return Optional.empty();
    }
    try {
      Path realJar = jar.toRealPath();
      Path java = Path.of(cmd.get(0)).toRealPath();
      Path javaHome = java.getParent() == null ? null : java.getParent().getParent();
      StringBuilder id = new StringBuilder();
      id.append(stamp(realJar)).append('\n').append(java).append('\n').append(stamp(java));
      if (javaHome != null) {
        for (Path f : List.of(javaHome.resolve("release"), javaHome.resolve("lib/server/libjvm.so"), javaHome.resolve("lib/modules"))) {
          if (Files.exists(f)) {
            id.append('\n').append(stamp(f));
          }
        }
      }
      return Optional.of(hash(realJar.toString()) + "-" + hash(id.toString()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String stamp(Path f) throws IOException {
    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
    return f + " " + a.size() + " " + a.lastModifiedTime().toMillis();
  }

  private static String hash(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The jar of a {@code java … -jar FILE.jar} command, or null. */
  private static Path jar(List<String> cmd) {
    if (cmd.isEmpty() || !Path.of(cmd.get(0)).getFileName().toString().equals("java")) {
      return null;
    }
    int i = cmd.indexOf("-jar");
    if (i < 1 || i + 1 >= cmd.size() || !cmd.get(i + 1).endsWith(".jar")) {
      return null;
    }
    Path jar = Path.of(cmd.get(i + 1));
    return Files.isRegularFile(jar) ? jar : null;
  }

  /**
   * The flags that map the base archive and, when given, a layer on it. At their preferred address: since JDK 17.0.x
   * (as in 20+) the JVM by default maps an archive at a random one and patches every pointer in it, which made the whole
   * archive (106 MB) private dirty memory in each process — a sentry grew from 145 to 183 MB RSS instead of shrinking; at
   * its own address the read-only part (classes' metadata, about half) stays clean and is shared by every process that
   * maps it, and the start is faster still (2.07 against 2.29 CPU-s to ready). What this gives up: the class metadata
   * sits at a fixed address, as it did by default before that change; heap, stacks and compiled code stay randomised.
   * Where the address is taken the JVM relocates as before.
   */
  static List<String> mapFlags(Path base, Path layer) {
    return List.of("-XX:SharedArchiveFile=" + base + (layer == null ? "" : ":" + layer), "-XX:+UnlockDiagnosticVMOptions",
        "-XX:ArchiveRelocationMode=0");
  }

  /** The command with JVM flags right after the executable (before the component's own options, which may override). */
  private static List<String> withFlags(List<String> cmd, List<String> flags) {
    List<String> out = new ArrayList<>(cmd.size() + flags.size());
    out.add(cmd.get(0));
    out.addAll(flags);
    out.addAll(cmd.subList(1, cmd.size()));
    return out;
  }

  /** Takes no new dumps; one under way, or waiting, still finishes (its thread is a daemon: it never holds the JVM up). */
  @Override
  public synchronized void close() {
    closed = true;
    if (dumps != null) {
      dumps.shutdown();
    }
  }
}
