package io.daprx.scheduler.server;

import io.daprx.proto.scheduler.v1.Host;
import io.daprx.proto.scheduler.v1.WatchHostsResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The WatchHosts streams: each gets the live replicas' dialable addresses and stays open; daprd reads the first
 * message only and reconnects on any later message or error, so a new list goes out only when the set changes. While
 * no replica is known yet (a replicated store still catching up), a new stream waits for the first list: an empty one
 * would leave daprd with nowhere to open its job streams.
 */
public final class HostsWatch {

  private final Set<ServerCallStreamObserver<WatchHostsResponse>> watchers = new LinkedHashSet<>();
  private WatchHostsResponse current;
  private boolean closed;

  public HostsWatch(List<String> addresses) {
    this.current = message(addresses);
  }

  private static WatchHostsResponse message(List<String> addresses) {
    WatchHostsResponse.Builder b = WatchHostsResponse.newBuilder();
    addresses.forEach(a -> b.addHosts(Host.newBuilder().setAddress(a)));
    return b.build();
  }

  synchronized void add(ServerCallStreamObserver<WatchHostsResponse> watcher) {
    if (closed) {
      watcher.onError(Status.UNAVAILABLE.withDescription("scheduler is shutting down").asRuntimeException());
      return;
    }
    watchers.add(watcher);
    watcher.setOnCancelHandler(() -> remove(watcher));
    if (current.getHostsCount() > 0) {
      watcher.onNext(current);
    }
  }

  private synchronized void remove(ServerCallStreamObserver<WatchHostsResponse> watcher) {
    watchers.remove(watcher);
  }

  /** Sends a changed list to every watcher; the same set again sends nothing. */
  public synchronized void update(List<String> addresses) {
    WatchHostsResponse next = message(addresses);
    if (next.equals(current)) {
      return;
    }
    current = next;
    for (ServerCallStreamObserver<WatchHostsResponse> w : watchers) {
      if (!w.isCancelled()) {
        w.onNext(next);
      }
    }
  }

  public synchronized int watching() {
    return watchers.size();
  }

  /** Ends every stream with UNAVAILABLE so daprd reconnects (to another replica). */
  public synchronized void close() {
    closed = true;
    for (ServerCallStreamObserver<WatchHostsResponse> w : watchers) {
      if (!w.isCancelled()) {
        try {
          w.onError(Status.UNAVAILABLE.withDescription("scheduler is shutting down").asRuntimeException());
        } catch (IllegalStateException alreadyClosed) {
          // ended meanwhile
        }
      }
    }
    watchers.clear();
  }
}
