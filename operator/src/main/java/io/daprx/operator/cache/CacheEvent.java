package io.daprx.operator.cache;

import io.daprx.operator.resources.Resource;
import io.daprx.common.dapr.ResourceKind;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What reaches the cache's loop: changes from a source, streams coming and going, and reads. */
sealed interface CacheEvent {

  record Upsert(Resource resource) implements CacheEvent {}

  record Delete(ResourceKind kind, String namespace, String name) implements CacheEvent {}

  record Subscribe(Subscriber subscriber) implements CacheEvent {}

  record Unsubscribe(Subscriber subscriber) implements CacheEvent {}

  record List_(ResourceKind kind, String namespace, CompletableFuture<List<Resource>> result) implements CacheEvent {}

  record Get(ResourceKind kind, String namespace, String name, CompletableFuture<Optional<Resource>> result) implements CacheEvent {}
}
