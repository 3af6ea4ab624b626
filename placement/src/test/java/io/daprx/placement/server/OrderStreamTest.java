package io.daprx.placement.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.placement.dissemination.Namespaces;
import io.daprx.placement.dissemination.SerializedOrder;
import io.daprx.placement.metrics.PlacementMetrics;
import io.daprx.proto.placement.v1.PlacementTables;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbound side of a stream: it writes only while the transport is ready and never lets a queue grow. */
class OrderStreamTest {

  private final FakeCall call = new FakeCall();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OutboundBudget budget = new OutboundBudget(3_000);
  private final OrderStream stream = stream(call);

  private OrderStream stream(FakeCall c) {
    return new OrderStream(c, new Namespaces(null), new HostValidator(false), null, new PlacementMetrics(registry), budget);
  }

  @Test
  void ordersWaitForTheTransportAndGoOutInOrderWhenItIsReady() {
    call.ready = false;
    stream.send(SerializedOrder.lock(1));
    stream.send(SerializedOrder.update(1, PlacementTables.getDefaultInstance()));
    assertThat(call.sent).isEmpty();
    call.ready = true;
    call.onReady.run();
    stream.send(SerializedOrder.unlock(1));
    assertThat(call.sent).extracting(SerializedOrder::operation).containsExactly("lock", "update", "unlock");
  }

  @Test
  void aNewRoundsLockDropsQueuedOrdersOfOlderRounds() {
    call.ready = false;
    stream.send(SerializedOrder.lock(1));
    stream.send(SerializedOrder.update(1, PlacementTables.getDefaultInstance()));
    stream.send(SerializedOrder.lock(2));
    call.ready = true;
    call.onReady.run();
    assertThat(call.sent).extracting(o -> o.operation() + o.version()).containsExactly("lock2");
  }

  @Test
  void aStreamThatCannotKeepUpIsClosedWithResourceExhausted() {
    call.ready = false;
    for (int i = 0; i <= OrderStream.MAX_QUEUED; i++) {
      stream.send(SerializedOrder.unlock(1));
    }
    assertThat(call.closed.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(registry.counter("daprx_placement_streams_closed", "reason", "slow").count()).isEqualTo(1);
    call.ready = true;
    stream.send(SerializedOrder.lock(5));
    assertThat(call.sent).isEmpty();
  }

  @Test
  void closingTwiceClosesOnceAndLaterOrdersAreDropped() {
    stream.close(Status.DEADLINE_EXCEEDED);
    stream.close(Status.UNAVAILABLE);
    stream.send(SerializedOrder.lock(1));
    stream.readNext();
    assertThat(call.closed.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(call.closeCount).isEqualTo(1);
    assertThat(call.sent).isEmpty();
    assertThat(call.requested).isZero();
  }

  @Test
  void streamsOverTheByteBudgetWaitUntilEarlierWritesComplete() {
    FakeCall second = new FakeCall();
    OrderStream other = stream(second);
    byte[] big = new byte[2_000];
    call.ready = true;
    second.ready = true;
    stream.send(new SerializedOrder("update", 1, big));
    call.ready = false; // written to gRPC, not yet to the socket
    other.send(new SerializedOrder("update", 1, big));
    assertThat(call.sent).hasSize(1);
    assertThat(second.sent).isEmpty(); // 2,000 + 2,000 > 3,000: waits for the budget
    assertThat(budget.used()).isEqualTo(2_000);

    call.ready = true;
    call.onReady.run(); // the first stream's bytes left the process
    assertThat(second.sent).hasSize(1);
    assertThat(budget.used()).isEqualTo(2_000);
  }

  @Test
  void smallOrdersBypassTheBudget() {
    FakeCall second = new FakeCall();
    OrderStream other = stream(second);
    stream.send(new SerializedOrder("update", 1, new byte[2_500]));
    call.ready = false;
    other.send(new SerializedOrder("update", 1, new byte[2_000])); // waits
    other.send(SerializedOrder.unlock(1)); // behind it in the same stream
    FakeCall third = new FakeCall();
    stream(third).send(SerializedOrder.lock(2));
    assertThat(third.sent).hasSize(1); // another stream's lock is not held up by the budget
    assertThat(second.sent).isEmpty();
  }

  @Test
  void aClosedStreamGivesItsBytesBack() {
    stream.send(new SerializedOrder("update", 1, new byte[1_500]));
    assertThat(budget.used()).isEqualTo(1_500);
    stream.close(Status.CANCELLED);
    assertThat(budget.used()).isZero();
  }

  @Test
  void messagesAreRequestedOneAtATime() {
    stream.start();
    assertThat(call.requested).isEqualTo(1);
    assertThat(call.autoRequestDisabled).isTrue();
  }

  static final class FakeCall extends ServerCallStreamObserver<SerializedOrder> {
    final List<SerializedOrder> sent = new ArrayList<>();
    boolean ready = true;
    boolean autoRequestDisabled;
    int requested;
    int closeCount;
    Status closed;
    Runnable onReady;

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {}

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
      onReady = onReadyHandler;
    }

    @Override
    public void disableAutoInboundFlowControl() {
      autoRequestDisabled = true;
    }

    @Override
    public void disableAutoRequest() {
      autoRequestDisabled = true;
    }

    @Override
    public void request(int count) {
      requested += count;
    }

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(SerializedOrder value) {
      sent.add(value);
    }

    @Override
    public void onError(Throwable t) {
      closeCount++;
      closed = Status.fromThrowable(t);
    }

    @Override
    public void onCompleted() {
      closeCount++;
      closed = Status.OK;
    }
  }
}
