package io.daprx.placement;

import static io.daprx.placement.DisseminationProtocolTest.awaitVersion;
import static io.daprx.placement.DisseminationProtocolTest.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.placement.sim.SidecarSpec;
import io.daprx.placement.sim.SimulatedSidecar;
import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.HostOperation;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad messages close their own stream with a clear status; everyone else carries on. */
class MalformedReportsTest {

  private static PlacementFixture fx;
  private static SimulatedSidecar good;
  private static int counter;

  @BeforeAll
  static void start() {
    fx = new PlacementFixture(Duration.ofSeconds(5));
    good = fx.connect("10.0.0.1:50002", "default", "Cart");
    awaitVersion(good, 1);
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static Host.Builder report() {
    return Host.newBuilder().setName("10.9.9.9:50002").setId("bad").setNamespace("default").addEntities("Cart")
        .setApiLevel(20).setOperation(HostOperation.REPORT);
  }

  static Stream<Arguments> firstMessages() {
    return Stream.of(
        Arguments.of("empty id", report().setId(""), Status.Code.INVALID_ARGUMENT, "id and namespace"),
        Arguments.of("empty namespace", report().setNamespace(""), Status.Code.INVALID_ARGUMENT, "id and namespace"),
        Arguments.of("empty name", report().setName(""), Status.Code.INVALID_ARGUMENT, "host name"),
        Arguments.of("empty actor type", report().addEntities(""), Status.Code.INVALID_ARGUMENT, "actor type names"),
        Arguments.of("another app's reserved type", report().addEntities("dapr.internal.default.other.workflow"),
            Status.Code.PERMISSION_DENIED, "not allowed for app ID bad"),
        Arguments.of("another namespace's reserved type", report().addEntities("dapr.internal.prod.bad.workflow"),
            Status.Code.PERMISSION_DENIED, "reserved"),
        Arguments.of("bare reserved prefix", report().addEntities("dapr.internal"), Status.Code.PERMISSION_DENIED, "reserved"),
        Arguments.of("an ack first", report().setOperation(HostOperation.LOCK).setVersion(1), Status.Code.INVALID_ARGUMENT,
            "first message of a stream must be a REPORT"),
        Arguments.of("unknown operation", report().setOperationValue(42), Status.Code.INVALID_ARGUMENT, "unknown operation 42"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("firstMessages")
  void malformedFirstReportClosesOnlyItsStream(String what, Host.Builder message, Status.Code code, String text) {
    SimulatedSidecar raw = fx.fleet.create(SidecarSpec.of("10.9.9.9:50002", "bad", "default"));
    raw.connectWith(message.build());
    waiting().until(() -> raw.closedWith() != null);
    assertThat(raw.closedWith().getCode()).isEqualTo(code);
    assertThat(raw.closedWith().getDescription()).contains(text);
    assertServerUnaffected();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("laterMessages")
  void malformedLaterMessageClosesOnlyItsStream(String what, Host message, Status.Code code, String text) {
    SimulatedSidecar s = fx.connect("10.8.8." + (++counter) + ":50002", "default", "Cart");
    waiting().until(() -> s.table() != null);
    s.send(message);
    waiting().until(() -> s.closedWith() != null);
    assertThat(s.closedWith().getCode()).isEqualTo(code);
    assertThat(s.closedWith().getDescription()).contains(text);
    assertServerUnaffected();
  }

  static Stream<Arguments> laterMessages() {
    return Stream.of(
        Arguments.of("namespace changed", report().setId("app-x").setNamespace("other").build(), Status.Code.INVALID_ARGUMENT,
            "namespace of a stream cannot change"),
        Arguments.of("ack without id", Host.newBuilder().setNamespace("default").setOperation(HostOperation.LOCK).setVersion(1).build(),
            Status.Code.INVALID_ARGUMENT, "id and namespace"),
        Arguments.of("report without name", report().setName("").build(), Status.Code.INVALID_ARGUMENT, "host name"));
  }

  /** The good sidecar still gets new tables: a fresh actor host triggers a round it completes. */
  private static void assertServerUnaffected() {
    long before = good.table().version();
    SimulatedSidecar probe = fx.connect("10.7.7." + (++counter) + ":50002", "default", "Probe");
    waiting().until(() -> good.table().version() > before && probe.table() != null);
    assertThat(good.isOpen()).isTrue();
    probe.drop();
    waiting().until(() -> fx.fleet.converged("default"));
    assertThat(fx.fleet.violations()).isEmpty();
    assertThat(List.of(good)).allMatch(SimulatedSidecar::isOpen);
  }
}
