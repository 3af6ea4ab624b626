package io.daprx.placement.dissemination;

import io.daprx.proto.placement.v1.PlacementOrder;
import io.daprx.proto.placement.v1.PlacementTables;

/**
 * A {@code PlacementOrder} serialized once per round and written, as the same bytes, to every stream of the
 * namespace: a table of a thousand hosts is tens of kilobytes, and serializing it per stream would cost a
 * round more than sending it.
 *
 * @param operation {@code lock}, {@code update} or {@code unlock}
 * @param version the namespace's version the order belongs to (unsigned)
 * @param bytes the encoded {@code PlacementOrder}; never modified after construction
 */
public record SerializedOrder(String operation, long version, byte[] bytes) {

  public static final String LOCK = "lock";
  public static final String UPDATE = "update";
  public static final String UNLOCK = "unlock";

  public static SerializedOrder lock(long version) {
    return of(LOCK, version, null);
  }

  public static SerializedOrder update(long version, PlacementTables tables) {
    return of(UPDATE, version, tables);
  }

  public static SerializedOrder unlock(long version) {
    return of(UNLOCK, version, null);
  }

  private static SerializedOrder of(String operation, long version, PlacementTables tables) {
    PlacementOrder.Builder b = PlacementOrder.newBuilder().setOperation(operation).setVersion(version);
    if (tables != null) {
      b.setTables(tables);
    }
    return new SerializedOrder(operation, version, b.build().toByteArray());
  }

  public boolean isLock() {
    return LOCK.equals(operation);
  }

  @Override
  public String toString() {
    return operation + "(v" + Long.toUnsignedString(version) + ", " + bytes.length + " bytes)";
  }
}
