package io.daprx.operator.cache;

import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import io.daprx.proto.operator.v1.ResourceEventType;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's resources and the streams that follow them, owned by one thread: sources submit upserts and
 * deletes, streams subscribe, handlers read, all as {@link CacheEvent}s processed in order. Every subscriber therefore
 * sees the changes of its namespace in the order the sources reported them.
 *
 * <p>Fan-out only queues: {@link Subscriber#offer} never blocks, so one slow stream cannot hold up the loop or the
 * other streams (the stream itself bounds its queue and closes when it falls too far behind).
 *
 * <p>Scopes: a subscriber gets CREATED/UPDATED while a resource is in its scope, DELETED (with the last version it
 * saw) when the resource leaves its scope or is deleted, and CREATED when it enters its scope by an update.
 */
public final class ResourceCache implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResourceCache.class);

  private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "operator-cache");
    t.setDaemon(true);
    return t;
  });
  // kind → namespace → name → resource; touched only on the loop
  private final Map<ResourceKind, Map<String, TreeMap<String, Resource>>> resources = new EnumMap<>(ResourceKind.class);
  // kind → namespace → streams; touched only on the loop
  private final Map<ResourceKind, Map<String, Set<Subscriber>>> subscribers = new EnumMap<>(ResourceKind.class);

  public void upsert(Resource resource) {
    submit(new CacheEvent.Upsert(resource));
  }

  public void delete(ResourceKind kind, String namespace, String name) {
    submit(new CacheEvent.Delete(kind, namespace, name));
  }

  public void subscribe(Subscriber subscriber) {
    submit(new CacheEvent.Subscribe(subscriber));
  }

  public void unsubscribe(Subscriber subscriber) {
    submit(new CacheEvent.Unsubscribe(subscriber));
  }

  /** The resources of a kind in a namespace, ordered by name (not filtered by scope). */
  public CompletableFuture<List<Resource>> list(ResourceKind kind, String namespace) {
    CompletableFuture<List<Resource>> f = new CompletableFuture<>();
    submit(new CacheEvent.List_(kind, namespace, f));
    return f;
  }

  public CompletableFuture<Optional<Resource>> get(ResourceKind kind, String namespace, String name) {
    CompletableFuture<Optional<Resource>> f = new CompletableFuture<>();
    submit(new CacheEvent.Get(kind, namespace, name, f));
    return f;
  }

  private void submit(CacheEvent event) {
    try {
      loop.execute(() -> handle(event));
    } catch (RejectedExecutionException e) {
      // closed: reads fail fast, everything else has no one left to tell
      if (event instanceof CacheEvent.List_ l) {
        l.result().completeExceptionally(new IllegalStateException("the operator is stopping"));
      } else if (event instanceof CacheEvent.Get g) {
        g.result().completeExceptionally(new IllegalStateException("the operator is stopping"));
      } else if (event instanceof CacheEvent.Subscribe s) {
        s.subscriber().close(Status.UNAVAILABLE.withDescription("the operator is stopping"));
      }
    }
  }

  private void handle(CacheEvent event) {
    try {
      if (event instanceof CacheEvent.Upsert u) {
        upserted(u.resource());
      } else if (event instanceof CacheEvent.Delete d) {
        deleted(d.kind(), d.namespace(), d.name());
      } else if (event instanceof CacheEvent.Subscribe s) {
        streams(s.subscriber().kind(), s.subscriber().namespace()).add(s.subscriber());
      } else if (event instanceof CacheEvent.Unsubscribe s) {
        Set<Subscriber> set = subscribers.getOrDefault(s.subscriber().kind(), Map.of()).get(s.subscriber().namespace());
        if (set != null) {
          set.remove(s.subscriber());
        }
      } else if (event instanceof CacheEvent.List_ l) {
        l.result().complete(List.copyOf(names(l.kind(), l.namespace()).values()));
      } else if (event instanceof CacheEvent.Get g) {
        g.result().complete(Optional.ofNullable(names(g.kind(), g.namespace()).get(g.name())));
      }
    } catch (RuntimeException e) {
      LOG.error("operator cache failed on {}: {}", event.getClass().getSimpleName(), e.toString(), e);
    }
  }

  private void upserted(Resource r) {
    Resource old = names(r.kind(), r.namespace()).put(r.name(), r);
    if (r.sameContent(old)) {
      return; // a resync or an unchanged rewrite
    }
    LOG.debug("{} {}", r.describe(), old == null ? "created" : "updated");
    for (Subscriber s : streamsOrEmpty(r.kind(), r.namespace())) {
      boolean inOld = old != null && old.inScope(s.appId());
      if (r.inScope(s.appId())) {
        s.offer(inOld ? ResourceEventType.UPDATED : ResourceEventType.CREATED, r.payload(s.trusted()));
      } else if (inOld) {
        s.offer(ResourceEventType.DELETED, old.payload(s.trusted())); // left the caller's scope
      }
    }
  }

  private void deleted(ResourceKind kind, String namespace, String name) {
    Resource old = names(kind, namespace).remove(name);
    if (old == null) {
      return;
    }
    LOG.debug("{} deleted", old.describe());
    for (Subscriber s : streamsOrEmpty(kind, namespace)) {
      if (old.inScope(s.appId())) {
        s.offer(ResourceEventType.DELETED, old.payload(s.trusted()));
      }
    }
  }

  private TreeMap<String, Resource> names(ResourceKind kind, String namespace) {
    return resources.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(namespace, n -> new TreeMap<>());
  }

  private Set<Subscriber> streams(ResourceKind kind, String namespace) {
    return subscribers.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(namespace, n -> new LinkedHashSet<>());
  }

  private Iterable<Subscriber> streamsOrEmpty(ResourceKind kind, String namespace) {
    Set<Subscriber> set = subscribers.getOrDefault(kind, Map.of()).get(namespace);
    // a copy: offer may close a stream, which unsubscribes it (later, on this loop)
    return set == null ? List.of() : new ArrayList<>(set);
  }

  /** Ends every stream with UNAVAILABLE (sidecars go to another replica) and stops the loop. */
  @Override
  public void close() {
    CompletableFuture<Void> ended = new CompletableFuture<>();
    try {
      loop.execute(() -> {
        for (Map<String, Set<Subscriber>> byNs : subscribers.values()) {
          for (Set<Subscriber> set : byNs.values()) {
            for (Subscriber s : set) {
              s.close(Status.UNAVAILABLE.withDescription("the operator is stopping"));
            }
            set.clear();
          }
        }
        ended.complete(null);
      });
      ended.get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // already closed, or the loop is stuck: stop it anyway
    }
    loop.shutdownNow();
  }
}
