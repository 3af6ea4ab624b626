package io.daprx.placement.sim;

import java.util.List;

/**
 * What a simulated sidecar reports about itself.
 *
 * @param name the "ip:port" of its internal gRPC endpoint, the key in the tables' {@code load_map}
 * @param appId its app id (under mTLS, the id in its SPIFFE certificate)
 * @param actorTypes the actor types it hosts; empty for a sidecar that only calls actors
 * @param apiLevel what it reports as {@code api_level}; daprd 1.17/1.18 send 20
 */
public record SidecarSpec(String name, String appId, String namespace, List<String> actorTypes, int apiLevel) {

  public static final int DAPRD_API_LEVEL = 20;

  public SidecarSpec {
    actorTypes = List.copyOf(actorTypes);
  }

  public static SidecarSpec of(String name, String appId, String namespace, String... actorTypes) {
    return new SidecarSpec(name, appId, namespace, List.of(actorTypes), DAPRD_API_LEVEL);
  }

  public SidecarSpec withActorTypes(List<String> types) {
    return new SidecarSpec(name, appId, namespace, types, apiLevel);
  }
}
