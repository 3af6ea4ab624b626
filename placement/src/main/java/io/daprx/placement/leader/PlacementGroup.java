package io.daprx.placement.leader;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/** The Raft group of the placement replicas, derived from the {@code --initial-cluster} alone. */
final class PlacementGroup {

  private PlacementGroup() {}

  /**
   * The group id is a hash of the sorted member list, so every replica given the same members agrees on it without
   * coordination, and a changed member list starts a fresh group instead of silently reusing the membership that
   * Ratis recorded in the old log (Ratis prefers the logged configuration over the one it is started with).
   */
  static RaftGroup of(Map<String, InetSocketAddress> peers) {
    String members = peers.entrySet().stream()
        .map(e -> e.getKey() + "=" + address(e.getValue()))
        .sorted()
        .collect(Collectors.joining(","));
    RaftGroupId id = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("daprx-placement:" + members).getBytes(StandardCharsets.UTF_8)));
    List<RaftPeer> raftPeers = peers.entrySet().stream()
        .map(e -> RaftPeer.newBuilder().setId(RaftPeerId.valueOf(e.getKey())).setAddress(address(e.getValue())).build())
        .toList();
    return RaftGroup.valueOf(id, raftPeers);
  }

  /** {@code host:port} as gRPC's target parser wants it; the name stays unresolved until a connection is made. */
  static String address(InetSocketAddress a) {
    String host = a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
