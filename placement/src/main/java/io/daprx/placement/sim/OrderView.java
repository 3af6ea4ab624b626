package io.daprx.placement.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.daprx.proto.placement.v1.PlacementTables;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;

/**
 * A received {@code PlacementOrder} with its tables kept as bytes: a thousand simulated sidecars parsing a
 * thousand-host table each would measure the simulator, not placement. {@link #parsedTables()} parses on demand.
 *
 * @param tables the encoded {@code PlacementTables} (empty for lock and unlock)
 */
public record OrderView(String operation, long version, ByteString tables) {

  public PlacementTables parsedTables() {
    try {
      return PlacementTables.parseFrom(tables);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("placement sent tables that do not parse", e);
    }
  }

  /** Reads fields 1-3 of {@code PlacementOrder} (see placement.proto) and skips anything else. */
  static final class Marshaller implements MethodDescriptor.Marshaller<OrderView> {
    @Override
    public InputStream stream(OrderView value) {
      throw new UnsupportedOperationException("sidecars only receive orders");
    }

    @Override
    public OrderView parse(InputStream stream) {
      try {
        CodedInputStream in = CodedInputStream.newInstance(stream);
        String operation = "";
        long version = 0;
        ByteString tables = ByteString.EMPTY;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
          switch (tag) {
            case (1 << 3) | 2 -> tables = in.readBytes();
            case (2 << 3) | 2 -> operation = in.readStringRequireUtf8();
            case (3 << 3) -> version = in.readUInt64();
            default -> in.skipField(tag);
          }
        }
        return new OrderView(operation, version, tables);
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("invalid PlacementOrder").withCause(e).asRuntimeException();
      }
    }
  }
}
