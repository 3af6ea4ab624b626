package io.daprx.common.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.StatePlacementTable;
import io.daprx.proto.placement.v1.StatePlacementTables;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementLookupTest {

  private static Host host(String name, String id, String... types) {
    return Host.newBuilder().setName(name).setId(id).setNamespace("shop").addAllEntities(List.of(types)).build();
  }

  private final StatePlacementTables state = StatePlacementTables.newBuilder()
      .putTables("shop", StatePlacementTable.newBuilder().setVersion(7)
          .addHosts(host("10.0.0.1:50002", "cart", "Cart"))
          .addHosts(host("10.0.0.2:50002", "cart2", "Cart", "Order"))
          .addHosts(host("10.0.0.3:50002", "order", "Order")).build())
      .build();

  @Test
  void ownerIsTheRingsHostAmongThoseWithTheType() {
    HashRing cartRing = HashRing.of(List.of("10.0.0.1:50002", "10.0.0.2:50002"), 100);
    for (int i = 0; i < 100; i++) {
      PlacementLookup.Owner o = PlacementLookup.lookup(state, "shop", "Cart", "c" + i, 100);
      assertThat(o.host().getName()).isEqualTo(cartRing.lookup("c" + i));
      assertThat(o.version()).isEqualTo(7);
    }
  }

  @Test
  void missingNamespaceOrTypeIsAClearError() {
    assertThatThrownBy(() -> PlacementLookup.lookup(state, "prod", "Cart", "x", 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("namespace prod has no placement table (namespaces with sidecars: shop)");
    assertThatThrownBy(() -> PlacementLookup.lookup(state, "shop", "Invoice", "x", 100))
        .hasMessage("actor type Invoice is not hosted in namespace shop (actor types there: Cart, Order)");
    assertThatThrownBy(() -> PlacementLookup.lookup(StatePlacementTables.getDefaultInstance(), "shop", "Cart", "x", 100))
        .hasMessageContaining("namespaces with sidecars: none");
  }
}
