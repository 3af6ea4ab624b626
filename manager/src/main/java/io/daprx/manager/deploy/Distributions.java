package io.daprx.manager.deploy;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daprx versions a local cluster can run, installed side by side under {@code <dir>/<version>/daprx.jar}:
 * the build the server runs from needs nothing, any other version is fetched once from its catalog entry and
 * checked against the entry's SHA-256 before it is ever run.
 */
public final class Distributions {

  private static final Logger LOG = LoggerFactory.getLogger(Distributions.class);
  private static final Duration HTTP_TIMEOUT = Duration.ofMinutes(5);

  private final Path dir;
  private final List<String> launcher;
  private final Semver build;
  // jars whose digest was checked since this server started: a jar is hashed once, not before every rollout
  private final Set<Path> verified = ConcurrentHashMap.newKeySet();

  /**
   * @param dir where versions are installed
   * @param launcher the argv that runs this server's own build ({@code java <flags> -jar daprx.jar}, or
   *     {@code -cp <classpath> <main>} when run from class directories)
   * @param build this build's version
   */
  public Distributions(Path dir, List<String> launcher, Semver build) {
    this.dir = dir;
    this.launcher = List.copyOf(launcher);
    this.build = build;
  }

  /** The argv that runs {@code daprx} of the release, fetching the release first when it is not installed yet. */
  public List<String> launcher(Release release) throws ReconcileException {
    if (release.distribution() == null) {
      if (!release.version().equals(build)) {
        throw new ReconcileException("daprx " + release.version() + " has no distribution for local clusters in the catalog (this server is "
            + build + "); pick a version that 'daprx k8s-extension extension-types list-versions-by-cluster' lists");
      }
      return launcher;
    }
    return withJar(jar(release));
  }

  /** Where a version is (or will be) installed. */
  public Path jarPath(Semver version) {
    return dir.resolve(version.toString()).resolve("daprx.jar");
  }

  private synchronized Path jar(Release release) throws ReconcileException {
    Path jar = jarPath(release.version());
    String want = release.distribution().sha256();
    if (Files.isRegularFile(jar)) {
      if (verified.contains(jar)) {
        return jar;
      }
      String have = sha256(jar);
      if (have.equals(want)) {
        verified.add(jar);
        return jar;
      }
      LOG.warn("{} does not match the catalog's SHA-256 (found {}); fetching it again", jar, have);
    }
    String url = release.distribution().url();
    LOG.info("fetching daprx {} from {}", release.version(), url);
    try {
      Files.createDirectories(jar.getParent());
      Path tmp = Files.createTempFile(jar.getParent(), ".daprx", ".jar.part");
      try {
        String got;
        try (InputStream in = open(url)) {
          got = copyHashing(in, tmp);
        }
        if (!got.equals(want)) {
          throw new ReconcileException("the daprx " + release.version() + " jar from " + url + " has SHA-256 " + got
              + " but the catalog says " + want + "; not installing it (fix the catalog entry or the file it points to)");
        }
        Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new ReconcileException("cannot fetch daprx " + release.version() + " from " + url + ": " + e.getMessage(), e);
    }
    verified.add(jar);
    return jar;
  }

  private static InputStream open(String url) throws IOException, ReconcileException {
    URI uri = URI.create(url);
    if ("file".equalsIgnoreCase(uri.getScheme())) {
      return Files.newInputStream(Path.of(uri));
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
    try {
      HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      if (resp.statusCode() != 200) {
        resp.body().close();
        throw new ReconcileException(url + " answered HTTP " + resp.statusCode());
      }
      return resp.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReconcileException("interrupted while fetching " + url, e);
    }
  }

  private static String copyHashing(InputStream in, Path to) throws IOException {
    MessageDigest digest = sha256();
    try (DigestInputStream d = new DigestInputStream(in, digest)) {
      Files.copy(d, to, StandardCopyOption.REPLACE_EXISTING);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256(Path file) throws ReconcileException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = sha256();
      in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), digest));
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new ReconcileException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * A launcher with the JVM options of one kind of process ({@link io.daprx.common.runtime.JvmOptions}, the table
   * {@code bin/daprx} reads too) in place of whatever options it had: the JVM binary, then {@code options}, then the jar
   * or class path and what follows. Components differ in what their heap holds (the scheduler keeps a few fields of
   * every job it triggers), so one set of options for all either starves one or wastes memory on the others.
   */
  public static List<String> withJvmOptions(List<String> launcher, List<String> options) {
    for (int i = 1; i < launcher.size(); i++) {
      String a = launcher.get(i);
      if (a.equals("-jar") || a.equals("-cp") || a.equals("-classpath")) {
        List<String> out = new ArrayList<>();
        out.add(launcher.get(0));
        out.addAll(options);
        out.addAll(launcher.subList(i, launcher.size()));
        return out;
      }
    }
    throw new IllegalStateException("the component launcher " + launcher + " names neither -jar nor -cp");
  }

  /** This server's launcher with its jar (or class path) swapped for {@code jar}: same JVM, same flags. */
  private List<String> withJar(Path jar) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < launcher.size(); i++) {
      String a = launcher.get(i);
      if (a.equals("-jar") && i + 1 < launcher.size()) {
        out.add("-jar");
        out.add(jar.toString());
        out.addAll(launcher.subList(i + 2, launcher.size()));
        return out;
      }
      if ((a.equals("-cp") || a.equals("-classpath")) && i + 2 < launcher.size()) {
        out.add("-jar"); // the main class follows the class path; a jar names its own
        out.add(jar.toString());
        out.addAll(launcher.subList(i + 3, launcher.size()));
        return out;
      }
      out.add(a);
    }
    throw new IllegalStateException("the component launcher " + launcher + " names neither -jar nor -cp");
  }
}
