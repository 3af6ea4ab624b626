package io.daprx.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.daprx.proto.operator.v1.ComponentUpdateEvent;
import io.daprx.proto.operator.v1.ResourceEventType;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Records what one update stream receives: (type, resource JSON) pairs, and how the stream ended. */
public final class Events<M> implements StreamObserver<M> {

  /** One received event. */
  public record Event(ResourceEventType type, JsonNode resource) {
    public String name() {
      return resource.path("metadata").path("name").asText();
    }

    @Override
    public String toString() {
      return type + " " + name();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Function<M, ResourceEventType> type;
  private final Function<M, ByteString> payload;
  private final List<Event> events = new ArrayList<>();
  private volatile Status closedWith;

  public Events(Function<M, ResourceEventType> type, Function<M, ByteString> payload) {
    this.type = type;
    this.payload = payload;
  }

  public static Events<ComponentUpdateEvent> components() {
    return new Events<>(ComponentUpdateEvent::getType, ComponentUpdateEvent::getComponent);
  }

  public static ConditionFactory waiting() {
    return Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20));
  }

  public static JsonNode json(ByteString b) {
    try {
      return JSON.readTree(b.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void onNext(M value) {
    events.add(new Event(type.apply(value), json(payload.apply(value))));
  }

  @Override
  public void onError(Throwable t) {
    closedWith = Status.fromThrowable(t);
  }

  @Override
  public void onCompleted() {
    closedWith = Status.OK;
  }

  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** "TYPE name" of each event, in order. */
  public synchronized List<String> summary() {
    return events.stream().map(Event::toString).toList();
  }

  public Status closedWith() {
    return closedWith;
  }

  /** Waits until {@code n} events arrived. */
  public Events<M> await(int n) {
    waiting().until(() -> events().size() >= n || closedWith != null);
    return this;
  }
}
