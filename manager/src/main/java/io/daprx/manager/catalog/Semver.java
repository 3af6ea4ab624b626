package io.daprx.manager.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A semantic version ({@code MAJOR.MINOR.PATCH[-PRE][+BUILD]}), ordered by semver precedence. */
public record Semver(int major, int minor, int patch, List<String> preRelease, String text) implements Comparable<Semver> {

  private static final Pattern SEMVER = Pattern.compile(
      "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

  public Semver {
    preRelease = List.copyOf(preRelease);
  }

  /** Parses a version; a leading {@code v} is accepted (tags are often written that way). */
  public static Semver parse(String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = SEMVER.matcher(t.startsWith("v") ? t.substring(1) : t);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.3 or 1.3.0-rc.1)");
    }
    List<String> pre = m.group(4) == null ? List.of() : List.of(m.group(4).split("\\."));
    return new Semver(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), pre,
        t.startsWith("v") ? t.substring(1) : t);
  }

  public boolean isPreRelease() {
    return !preRelease.isEmpty();
  }

  /** {@code MAJOR.MINOR}: the unit the supported window and auto-upgrade count in. */
  public String minorLine() {
    return major + "." + minor;
  }

  public boolean newerThan(Semver other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(Semver o) {
    int c = Integer.compare(major, o.major);
    c = c != 0 ? c : Integer.compare(minor, o.minor);
    c = c != 0 ? c : Integer.compare(patch, o.patch);
    if (c != 0) {
      return c;
    }
    // a release ranks above its pre-releases
    if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
      return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
    }
    for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
      c = comparePart(preRelease.get(i), o.preRelease.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(preRelease.size(), o.preRelease.size());
  }

  private static int comparePart(String a, String b) {
    boolean an = a.chars().allMatch(Character::isDigit);
    boolean bn = b.chars().allMatch(Character::isDigit);
    if (an && bn) {
      return new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b));
    }
    if (an != bn) {
      return an ? -1 : 1; // numeric identifiers rank below alphanumeric ones
    }
    return a.compareTo(b);
  }

  /** Equality ignores build metadata, as precedence does. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Semver s && compareTo(s) == 0;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(major, minor, patch, new ArrayList<>(preRelease));
  }

  @Override
  public String toString() {
    return text;
  }
}
