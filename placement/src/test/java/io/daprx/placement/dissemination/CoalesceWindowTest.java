package io.daprx.placement.dissemination;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.daprx.placement.metrics.PlacementMetrics;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.HostOperation;
import io.daprx.proto.placement.v1.PlacementOrder;
import io.daprx.proto.placement.v1.PlacementTable;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code --disseminate-coalesce-window} on one namespace loop, with the loop's timer on a clock the test moves: changes
 * after a round wait for the window and go out in one round; without a window every change has its round, as before.
 */
class CoalesceWindowTest {

  private static final Duration WINDOW = Duration.ofMillis(200);

  private final ManualTimer timer = new ManualTimer();
  private NamespaceLoop loop;

  private void start(Duration window) {
    LoopSettings settings = new LoopSettings(100, Duration.ofSeconds(8), window, Runnable::run, timer,
        new PlacementMetrics(new SimpleMeterRegistry()), timer::nanoTime);
    loop = new NamespaceLoop("default", settings, l -> {});
  }

  @Test
  void withoutAWindowEveryJoinHasItsOwnRoundAsBefore() {
    start(Duration.ZERO);
    Sidecar a = join("10.0.0.1:50002", "Cart");
    Sidecar b = join("10.0.0.2:50002", "Cart");
    Sidecar c = join("10.0.0.3:50002", "Order");

    assertThat(a.orders()).containsExactly("lock:1", "update:1", "unlock:1", "lock:2", "update:2", "unlock:2",
        "lock:3", "update:3", "unlock:3");
    assertThat(b.orders()).containsExactly("lock:2", "update:2", "unlock:2", "lock:3", "update:3", "unlock:3");
    assertThat(c.orders()).containsExactly("lock:3", "update:3", "unlock:3");
  }

  @Test
  void joinsAndALeaveWithinTheWindowGoOutInOneRoundWhenItCloses() {
    start(WINDOW);
    Sidecar a = join("10.0.0.1:50002", "Cart");
    // the first change in a quiet namespace starts its round at once; the round's end opens the window
    assertThat(a.orders()).containsExactly("lock:1", "update:1", "unlock:1");

    Sidecar gone = join("10.0.0.9:50002", "Cart");
    timer.advance(Duration.ofMillis(50));
    Sidecar b = join("10.0.0.2:50002", "Cart");
    Sidecar c = join("10.0.0.3:50002", "Order");
    timer.advance(Duration.ofMillis(50));
    gone.leave();
    timer.advance(Duration.ofMillis(99));
    assertThat(a.orders()).as("no round before the window closes").hasSize(3);
    assertThat(b.orders()).isEmpty();

    timer.advance(Duration.ofMillis(1));
    assertThat(a.orders()).containsExactly("lock:1", "update:1", "unlock:1", "lock:2", "update:2", "unlock:2");
    assertThat(gone.orders()).isEmpty();
    for (Sidecar s : List.of(a, b, c)) {
      assertThat(s.table()).isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002", "10.0.0.2:50002"), "Order", Set.of("10.0.0.3:50002")));
    }
    assertThat(b.orders()).containsExactly("lock:2", "update:2", "unlock:2");

    // a window with nothing in it closes without a round; the next change after it is quick again
    timer.advance(WINDOW);
    assertThat(a.orders()).hasSize(6);
    Sidecar d = join("10.0.0.4:50002", "Order");
    assertThat(d.orders()).containsExactly("lock:3", "update:3", "unlock:3");
  }

  @Test
  void aHostWithoutActorTypesGetsTheTableAtOnceInsideTheWindow() {
    start(WINDOW);
    Sidecar a = join("10.0.0.1:50002", "Cart");
    Sidecar caller = join("10.0.0.8:50002");

    assertThat(caller.orders()).containsExactly("lock:1", "update:1", "unlock:1");
    assertThat(caller.table()).isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002")));
    timer.advance(WINDOW);
    assertThat(a.orders()).as("a host without actor types changes no table: no round").hasSize(3);
  }

  @Test
  void changesDuringASlowRoundWaitForTheWindowAfterIt() {
    start(WINDOW);
    Sidecar a = join("10.0.0.1:50002", "Cart");
    timer.advance(WINDOW);
    a.holdAcks = true;
    Sidecar b = join("10.0.0.2:50002", "Cart"); // round 2 waits for a's lock ack
    Sidecar c = join("10.0.0.3:50002", "Cart");
    a.releaseAcks();

    assertThat(b.orders()).containsExactly("lock:2", "update:2", "unlock:2");
    assertThat(c.orders()).as("joined during round 2: waits for the window after it").isEmpty();
    timer.advance(WINDOW);
    assertThat(c.orders()).containsExactly("lock:3", "update:3", "unlock:3");
    assertThat(c.table()).isEqualTo(Map.of("Cart", Set.of("10.0.0.1:50002", "10.0.0.2:50002", "10.0.0.3:50002")));
  }

  private Sidecar join(String name, String... actorTypes) {
    Sidecar s = new Sidecar(name, List.of(actorTypes));
    loop.post(new NamespaceEvent.Joined(s, s.host(HostOperation.REPORT, 0)));
    return s;
  }

  /** A sidecar that acks every order at once (or holds them), recording what it got. */
  private final class Sidecar implements SidecarStream {
    final String name;
    final List<String> types;
    final List<SerializedOrder> received = new ArrayList<>();
    final List<SerializedOrder> held = new ArrayList<>();
    boolean holdAcks;

    Sidecar(String name, List<String> types) {
      this.name = name;
      this.types = types;
    }

    Host host(HostOperation op, long version) {
      Host.Builder b = Host.newBuilder().setName(name).setId("app-" + name).setNamespace("default").addAllEntities(types)
          .setOperation(op);
      return op == HostOperation.REPORT ? b.build() : b.setVersion(version).build();
    }

    @Override
    public void send(SerializedOrder order) {
      received.add(order);
      if (holdAcks) {
        held.add(order);
      } else {
        ack(order);
      }
    }

    private void ack(SerializedOrder order) {
      HostOperation op = switch (order.operation()) {
        case SerializedOrder.LOCK -> HostOperation.LOCK;
        case SerializedOrder.UPDATE -> HostOperation.UPDATE;
        default -> HostOperation.UNLOCK;
      };
      loop.post(new NamespaceEvent.Reported(this, host(op, order.version())));
    }

    void releaseAcks() {
      holdAcks = false;
      List<SerializedOrder> pending = List.copyOf(held);
      held.clear();
      pending.forEach(this::ack);
    }

    void leave() {
      loop.post(new NamespaceEvent.Left(this, "gone"));
    }

    List<String> orders() {
      return received.stream().map(o -> o.operation() + ":" + o.version()).toList();
    }

    /** Actor type → host names of the last table it got. */
    Map<String, Set<String>> table() {
      SerializedOrder last = null;
      for (SerializedOrder o : received) {
        if (o.operation().equals(SerializedOrder.UPDATE)) {
          last = o;
        }
      }
      try {
        Map<String, Set<String>> byType = new TreeMap<>();
        for (Map.Entry<String, PlacementTable> e : PlacementOrder.parseFrom(last.bytes()).getTables().getEntriesMap().entrySet()) {
          byType.put(e.getKey(), new TreeSet<>(e.getValue().getLoadMapMap().keySet()));
        }
        return byType;
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public void close(Status status) {}

    @Override
    public void readNext() {}
  }
}
