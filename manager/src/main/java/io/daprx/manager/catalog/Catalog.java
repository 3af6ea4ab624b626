package io.daprx.manager.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The versions on each release train, and EXTENSION.md's rules over them as pure functions: the default
 * version, the supported window, auto-upgrade targets, CRD application and the check of a requested version.
 *
 * @param trains release trains by lower-case name, each sorted oldest first
 */
public record Catalog(Map<String, List<Release>> trains) {

  public static final String DEFAULT_TRAIN = "stable";
  /** The newest three minor lines are supported (N-2). */
  public static final int SUPPORTED_MINORS = 3;
  static final String RESOURCE = "/io/daprx/manager/catalog/catalog.json";
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

  public Catalog {
    Map<String, List<Release>> sorted = new LinkedHashMap<>();
    trains.forEach((name, releases) -> sorted.put(name.toLowerCase(Locale.ROOT),
        releases.stream().sorted(Comparator.comparing(Release::version)).toList()));
    trains = java.util.Collections.unmodifiableMap(sorted);
  }

  // ---- loading

  /** The catalog shipped in the jar. */
  public static Catalog builtIn() {
    try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new CatalogException("the built-in catalog " + RESOURCE + " is missing from the class path");
      }
      // The build writes its own version into the file; a development build is offered under its release number, as
      // Versions.CURRENT names it, so "this build" is always an installable version.
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("-SNAPSHOT", ""), "the built-in catalog");
    } catch (IOException e) {
      throw new CatalogException("cannot read the built-in catalog: " + e.getMessage(), e);
    }
  }

  /** The built-in catalog when {@code source} is null or blank, else the file or http(s) URL it names. */
  public static Catalog load(String source) {
    if (source == null || source.isBlank()) {
      return builtIn();
    }
    String s = source.trim();
    if (s.startsWith("http://") || s.startsWith("https://")) {
      return parse(fetch(s), "catalog " + s);
    }
    Path file = Path.of(s.startsWith("file:") ? URI.create(s).getPath() : s);
    try {
      return parse(Files.readString(file), "catalog file " + file);
    } catch (NoSuchFileException e) {
      throw new CatalogException("catalog file " + file + " does not exist");
    } catch (IOException e) {
      throw new CatalogException("cannot read catalog file " + file + ": " + e.getMessage(), e);
    }
  }

  private static String fetch(String url) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
      HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        throw new CatalogException("catalog " + url + " answered HTTP " + resp.statusCode());
      }
      return resp.body();
    } catch (IOException e) {
      throw new CatalogException("cannot fetch catalog " + url + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CatalogException("interrupted while fetching catalog " + url, e);
    }
  }

  /**
   * Reads {@code {"trains": {"stable": [{"version", "imageTag", "daprVersion", "distribution": {"url", "sha256"}}, ...],
   * ...}}} ({@code distribution} optional), naming the source
   * and the faulty entry in every error (a bad catalog must be fixable from the message alone).
   */
  public static Catalog parse(String json, String origin) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new CatalogException(origin + " is not valid JSON: " + e.getOriginalMessage());
    }
    JsonNode trains = root == null ? null : root.get("trains");
    if (trains == null || !trains.isObject() || trains.isEmpty()) {
      throw new CatalogException(origin + " has no release trains: expected {\"trains\": {\"stable\": [...]}}");
    }
    List<String> problems = new ArrayList<>();
    Map<String, List<Release>> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = trains.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> train = it.next();
      String name = train.getKey();
      if (!train.getValue().isArray() || train.getValue().isEmpty()) {
        problems.add("train '" + name + "' must be a non-empty list of versions");
        continue;
      }
      List<Release> releases = new ArrayList<>();
      Set<Semver> seen = new HashSet<>();
      int i = 0;
      for (JsonNode v : train.getValue()) {
        String where = "train '" + name + "' entry " + i++;
        Release r = release(v, where, problems);
        if (r != null && !seen.add(r.version())) {
          problems.add(where + ": version " + r.version() + " is listed twice");
        } else if (r != null) {
          releases.add(r);
        }
      }
      out.put(name, releases);
    }
    if (!problems.isEmpty()) {
      throw new CatalogException(origin + " is invalid: " + String.join("; ", problems));
    }
    return new Catalog(out);
  }

  private static Release release(JsonNode v, String where, List<String> problems) {
    String version = v.path("version").asText("");
    String tag = v.path("imageTag").asText("");
    String dapr = v.path("daprVersion").asText("");
    int before = problems.size();
    Semver parsed = null;
    try {
      parsed = Semver.parse(version);
    } catch (IllegalArgumentException e) {
      problems.add(where + ": version " + e.getMessage());
    }
    if (tag.isBlank()) {
      problems.add(where + ": imageTag is missing");
    }
    try {
      Semver.parse(dapr);
    } catch (IllegalArgumentException e) {
      problems.add(where + ": daprVersion " + e.getMessage());
    }
    Release.Distribution distribution = distribution(v.get("distribution"), where, problems);
    return problems.size() == before ? new Release(parsed, tag, dapr, distribution) : null;
  }

  /** A release as stored with an operation or an install (the catalog may drop it later; a rollback still needs it). */
  public static com.fasterxml.jackson.databind.node.ObjectNode toJson(Release r) {
    com.fasterxml.jackson.databind.node.ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("version", r.version().toString());
    o.put("imageTag", r.imageTag());
    o.put("daprVersion", r.daprVersion());
    if (r.distribution() != null) {
      o.putObject("distribution").put("url", r.distribution().url()).put("sha256", r.distribution().sha256());
    }
    return o;
  }

  /** Reads what {@link #toJson} wrote. */
  public static Release fromJson(JsonNode stored) {
    List<String> problems = new ArrayList<>();
    Release r = release(stored, "stored release", problems);
    if (r == null) {
      throw new CatalogException(String.join("; ", problems));
    }
    return r;
  }

  private static Release.Distribution distribution(JsonNode d, String where, List<String> problems) {
    if (d == null || d.isNull()) {
      return null;
    }
    String url = d.path("url").asText("");
    String sha = d.path("sha256").asText("").toLowerCase(Locale.ROOT);
    if (!(url.startsWith("https://") || url.startsWith("http://") || url.startsWith("file:"))) {
      problems.add(where + ": distribution.url must be an https:, http: or file: URL of a daprx jar (got '" + url + "')");
    }
    if (!sha.matches("[0-9a-f]{64}")) {
      // a jar the manager will run as every control-plane replica is never taken unchecked
      problems.add(where + ": distribution.sha256 must be the jar's SHA-256 as 64 hex digits");
    }
    return new Release.Distribution(url, sha);
  }

  // ---- the rules

  /**
   * Whether a local cluster can run the release: the catalog offers a jar for it, or it is the very build this
   * server runs from ({@code build}), which needs no download.
   */
  public static boolean runsLocally(Release release, Semver build) {
    return release.distribution() != null || release.version().equals(build);
  }

  /** The train's versions, oldest first; an unknown train is an error listing the known ones. */
  public List<Release> versions(String train) {
    List<Release> r = trains.get(train == null ? DEFAULT_TRAIN : train.toLowerCase(Locale.ROOT));
    if (r == null) {
      throw new CatalogException("unknown release train '" + train + "'; known trains: " + String.join(", ", trains.keySet()));
    }
    return r;
  }

  /** What an install without {@code --version} gets: the newest release of the train, pre-releases only on a train of them. */
  public Release defaultVersion(String train) {
    return defaultVersion(train, r -> true).orElseThrow(); // a parsed train is never empty
  }

  /** The newest release of the train that {@code runs} accepts, pre-releases only on a train of them. */
  public Optional<Release> defaultVersion(String train, java.util.function.Predicate<Release> runs) {
    List<Release> all = versions(train).stream().filter(runs).toList();
    if (all.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(all.stream().filter(r -> !r.version().isPreRelease()).reduce((a, b) -> b).orElse(all.get(all.size() - 1)));
  }

  /** The latest patch of each of the newest {@value #SUPPORTED_MINORS} minor lines of the train, oldest first. */
  public List<Release> supported(String train) {
    Map<String, Release> latestPerMinor = new LinkedHashMap<>();
    for (Release r : versions(train)) {
      latestPerMinor.put(r.version().major() + "." + r.version().minor(), r); // sorted: the last one wins
    }
    List<Release> lines = new ArrayList<>(latestPerMinor.values());
    return List.copyOf(lines.subList(Math.max(0, lines.size() - SUPPORTED_MINORS), lines.size()));
  }

  /**
   * Where auto-upgrade takes an install: the newest supported version of the train above {@code current},
   * within the same major (auto-upgrade follows minors and patches). Empty when pinned ({@code autoUpgrade}
   * false) or already newest: never a downgrade.
   */
  public Optional<Release> autoUpgradeTarget(Semver current, String train, boolean autoUpgrade) {
    return autoUpgradeTarget(current, train, autoUpgrade, r -> true);
  }

  /** As {@link #autoUpgradeTarget(Semver, String, boolean)}, among the releases the cluster can run. */
  public Optional<Release> autoUpgradeTarget(Semver current, String train, boolean autoUpgrade, java.util.function.Predicate<Release> runs) {
    if (!autoUpgrade) {
      return Optional.empty();
    }
    return supported(train).stream()
        .filter(r -> r.version().major() == current.major() && r.version().newerThan(current))
        .filter(runs)
        .reduce((a, b) -> b);
  }

  /** The release of a version on any train, if the catalog lists it. */
  public Optional<Release> find(Semver version) {
    return trains.values().stream().flatMap(List::stream).filter(r -> r.version().equals(version)).findFirst();
  }

  /**
   * Whether a move from {@code from} (null: a fresh install) to {@code to} applies the CRDs: yes on install and
   * upgrade, no on downgrade (older CRDs could drop fields newer resources use); {@code hooks.applyCrds} overrides.
   */
  public static boolean applyCrds(Semver from, Semver to, Boolean override) {
    if (override != null) {
      return override;
    }
    return from == null || !from.newerThan(to);
  }

  /** The release a requested {@code --version} names, if the train has it and it is supported. */
  public Release requested(String version, String train) {
    Semver wanted;
    try {
      wanted = Semver.parse(version);
    } catch (IllegalArgumentException e) {
      throw new CatalogException("invalid --version: " + e.getMessage());
    }
    List<Release> all = versions(train);
    Release found = all.stream().filter(r -> r.version().equals(wanted)).findFirst().orElseThrow(() -> new CatalogException(
        "version " + version + " is not on release train '" + trainName(train) + "'; available: " + names(all)));
    List<Release> window = supported(train);
    if (!window.contains(found)) {
      throw new CatalogException("version " + version + " is no longer supported on release train '" + trainName(train)
          + "'; supported versions (latest patch of the newest " + SUPPORTED_MINORS + " minors): " + names(window));
    }
    return found;
  }

  private static String trainName(String train) {
    return train == null ? DEFAULT_TRAIN : train.toLowerCase(Locale.ROOT);
  }

  private static String names(List<Release> releases) {
    return String.join(", ", releases.stream().map(r -> r.version().toString()).toList());
  }
}
