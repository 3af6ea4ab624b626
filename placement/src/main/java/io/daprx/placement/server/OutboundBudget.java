package io.daprx.placement.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Caps the order bytes handed to gRPC but not yet written to sockets, across all streams. A round writes its table to
 * every stream of a namespace at once, and each write is a copy in Netty's direct memory; without a cap, a hundred
 * namespaces changing together queue tens of megabytes that the pooled allocator then keeps. Streams over the cap
 * wait in arrival order and are granted bytes as earlier writes complete, which keeps the sockets as busy as before.
 * Orders under {@link #SMALL_BYTES} (locks, unlocks) are not counted.
 *
 * <p>Lock order: a stream's lock, then this one's. Grants are handed to streams with no lock held.
 */
final class OutboundBudget {

  /** Enough to keep loopback and LAN sockets full; a thousand-host table is about 60 KiB. */
  static final long DEFAULT_BYTES = 8L * 1024 * 1024;
  /** Orders smaller than this bypass the budget: their memory is negligible, their latency is not. */
  static final int SMALL_BYTES = 1024;

  private final long limit;
  private long used; // guarded by this
  private final Map<OrderStream, Long> waiting = new LinkedHashMap<>(); // guarded by this; stream → bytes it waits for

  OutboundBudget(long limit) {
    this.limit = limit;
  }

  /**
   * Takes {@code bytes} when nobody waits and they fit (an order larger than the whole budget fits when nothing else
   * is in flight); otherwise queues the stream, which {@link OrderStream#granted} later.
   */
  synchronized boolean tryAcquire(long bytes, OrderStream stream) {
    if (waiting.isEmpty() && fits(bytes)) {
      used += bytes;
      return true;
    }
    waiting.putIfAbsent(stream, bytes); // a stream keeps its place in line
    return false;
  }

  private boolean fits(long bytes) {
    return used + bytes <= limit || used == 0;
  }

  /** Gives bytes back and grants waiting streams, first come first served, as long as they fit. */
  void release(long bytes) {
    List<OrderStream> streams = new ArrayList<>();
    List<Long> grants = new ArrayList<>();
    synchronized (this) {
      used = Math.max(0, used - bytes);
      Iterator<Map.Entry<OrderStream, Long>> it = waiting.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<OrderStream, Long> e = it.next();
        if (!fits(e.getValue())) {
          break;
        }
        used += e.getValue();
        streams.add(e.getKey());
        grants.add(e.getValue());
        it.remove();
      }
    }
    for (int i = 0; i < streams.size(); i++) {
      streams.get(i).granted(grants.get(i));
    }
  }

  /** A closed stream waits no more. */
  synchronized void forget(OrderStream stream) {
    waiting.remove(stream);
  }

  synchronized long used() {
    return used;
  }
}
