package io.daprx.operator.server;

import static io.daprx.operator.Events.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.metrics.OperatorMetrics;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.operator.resources.Resources;
import io.daprx.operator.resources.SecretResolver;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Back-pressure: a stream whose transport is not ready queues; past the limit it is closed, and the others go on. */
class SlowStreamTest {

  private final ResourceCache cache = new ResourceCache();
  private final OperatorMetrics metrics = new OperatorMetrics(new SimpleMeterRegistry());
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final ResourceApi api = new ResourceApi(cache, SecretResolver.NONE, metrics, 5, executor);

  @AfterEach
  void stop() {
    cache.close();
    executor.shutdownNow();
  }

  /** A server stream whose readiness the test decides. */
  static final class FakeStream extends ServerCallStreamObserver<String> {
    volatile boolean ready = true;
    volatile Runnable onReady;
    final List<String> sent = new CopyOnWriteArrayList<>();
    volatile Status closedWith;

    @Override public boolean isReady() { return ready; }
    @Override public void setOnReadyHandler(Runnable r) { onReady = r; }
    @Override public void setOnCancelHandler(Runnable r) {}
    @Override public boolean isCancelled() { return false; }
    @Override public void setCompression(String c) {}
    @Override public void disableAutoInboundFlowControl() {}
    @Override public void request(int n) {}
    @Override public void setMessageCompression(boolean e) {}
    @Override public void onNext(String v) { sent.add(v); }
    @Override public void onError(Throwable t) { closedWith = Status.fromThrowable(t); }
    @Override public void onCompleted() { closedWith = Status.OK; }

    void becomeReady() {
      ready = true;
      onReady.run();
    }
  }

  private void upsert(String name, int round) {
    cache.upsert(Resources.of(new ObjectMapper().createObjectNode().put("apiVersion", "dapr.io/v1alpha1").put("kind", "Component")
        .<com.fasterxml.jackson.databind.node.ObjectNode>set("metadata", new ObjectMapper().createObjectNode().put("name", name)
            .put("namespace", "shop"))
        .set("spec", new ObjectMapper().createObjectNode().put("round", round)), "shop", SecretResolver.NONE));
  }

  private FakeStream subscribe() {
    FakeStream s = new FakeStream();
    api.subscribe(ResourceKind.COMPONENT, new Caller("shop", "cart", true), s, (b, t) -> t + " " + b.toStringUtf8());
    return s;
  }

  @Test
  void aStreamThatIsNotReadyQueuesAndCatchesUpWhenReady() {
    FakeStream slow = subscribe();
    slow.ready = false;
    for (int i = 0; i < 4; i++) {
      upsert("c", i);
    }
    waiting().until(() -> cache.list(ResourceKind.COMPONENT, "shop").join().get(0).json().toStringUtf8().contains("\"round\":3"));
    assertThat(slow.sent).isEmpty();
    slow.becomeReady();
    waiting().until(() -> slow.sent.size() == 4);
    assertThat(slow.sent.get(0)).startsWith("CREATED");
    assertThat(slow.sent.get(3)).startsWith("UPDATED").contains("\"round\":3");
    assertThat(slow.closedWith).isNull();
  }

  @Test
  void aStreamTooFarBehindIsClosedWithResourceExhaustedWhileOthersKeepReceiving() {
    FakeStream slow = subscribe();
    FakeStream fast = subscribe();
    slow.ready = false;
    // in two bursts of 4, below the limit of 5: a burst of 8 may outrun the first drain of the fast stream too (the
    // cache loop offers faster than a pool thread starts), and the fast stream would rightly be closed as well
    for (int i = 0; i < 4; i++) {
      upsert("c", i);
    }
    waiting().until(() -> fast.sent.size() == 4);
    for (int i = 4; i < 8; i++) {
      upsert("c", i);
    }
    waiting().until(() -> fast.sent.size() == 8);
    slow.becomeReady();
    waiting().until(() -> slow.closedWith != null);
    assertThat(slow.closedWith.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(slow.sent).isEmpty();
    upsert("c", 9);
    waiting().until(() -> fast.sent.size() == 9);
    assertThat(fast.closedWith).isNull();
    assertThat(metrics.streamsOpen(ResourceKind.COMPONENT)).isEqualTo(1);
  }
}
