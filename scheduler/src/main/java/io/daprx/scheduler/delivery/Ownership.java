package io.daprx.scheduler.delivery;

import java.util.List;

/**
 * Which jobs this replica triggers: with {@code count} live replicas sorted by id and this one at {@code index},
 * the jobs whose {@code partition % count == index}. {@code count} 0: none (this replica is not live yet).
 */
public record Ownership(int index, int count) {

  /** A single replica: every job. */
  public static final Ownership ALL = new Ownership(0, 1);
  /** Not (yet) among the live replicas: no job. */
  public static final Ownership NONE = new Ownership(0, 0);

  public Ownership {
    if (count < 0 || (count > 0 && (index < 0 || index >= count))) {
      throw new IllegalArgumentException("replica " + index + " of " + count + " does not exist");
    }
  }

  /** This replica's share among the live replicas {@code live} (any order; sorted here). */
  public static Ownership of(List<String> live, String self) {
    List<String> sorted = live.stream().sorted().toList();
    int i = sorted.indexOf(self);
    return i < 0 ? NONE : new Ownership(i, sorted.size());
  }

  public boolean owns(int partition) {
    return count > 0 && Math.floorMod(partition, count) == index;
  }
}
