package io.daprx.scheduler.store;

import java.util.List;
import java.util.Map;

/**
 * The live replicas as the replicated log last recorded them: their ids, sorted, and where sidecars reach each.
 *
 * @param live the live replicas' ids, sorted; replica {@code i} of them triggers the jobs whose
 *     {@code partition % live.size() == i}
 * @param addresses every replica's last announced address (live or not)
 */
public record Membership(List<String> live, Map<String, String> addresses) {

  public static final Membership NONE = new Membership(List.of(), Map.of());

  public Membership {
    live = List.copyOf(live);
    addresses = Map.copyOf(addresses);
  }

  /** The live replicas' addresses, in id order: what WatchHosts lists. */
  public List<String> liveAddresses() {
    return live.stream().map(addresses::get).filter(a -> a != null).toList();
  }
}
