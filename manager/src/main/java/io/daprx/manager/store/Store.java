package io.daprx.manager.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The management server's state. Ids are ARM ids compared case-insensitively; every write checks an
 * ETag when given one (optimistic concurrency), so two clients never silently overwrite each other.
 */
public interface Store extends AutoCloseable {

  Optional<Doc> get(String id);

  /** Children of {@code parentId} of one kind, by id; {@code parentId} null lists the kind everywhere. */
  List<Doc> list(String kind, String parentId);

  /** Creates; {@link StoreException.Reason#CONFLICT} if the id exists. */
  Doc create(String id, String kind, String parentId, ObjectNode body);

  /** Replaces the body; with {@code ifMatch} non-null only if the stored ETag equals it. */
  Doc update(String id, ObjectNode body, String ifMatch);

  /** Deletes; with {@code ifMatch} non-null only if the stored ETag equals it. Missing is NOT_FOUND. */
  void delete(String id, String ifMatch);

  Optional<String> setting(String name);

  /** Stores a value unless one exists; returns the stored value either way. */
  String settingIfAbsent(String name, String value);

  /** Runs {@code body} in one transaction: all of its writes happen, or none. */
  <T> T inTransaction(Function<Store, T> body);

  @Override
  void close();
}
