package io.daprx.placement.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.daprx.proto.placement.v1.PlacementTables;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A received {@code PlacementOrder} with its tables kept as bytes, or not kept at all: a thousand simulated sidecars
 * decoding a thousand-host table each would measure the simulator, not placement. {@link #parsedTables()} decodes on
 * demand.
 *
 * @param tables the encoded {@code PlacementTables}; empty for lock and unlock, null when the sidecar does not keep tables
 */
public record OrderView(String operation, long version, ByteString tables) {

  public PlacementTables parsedTables() {
    if (tables == null) {
      throw new IllegalStateException("this simulated sidecar does not keep tables");
    }
    try {
      return PlacementTables.parseFrom(tables);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("placement sent tables that do not parse", e);
    }
  }

  /** Reads fields 1-3 of {@code PlacementOrder} (see placement.proto) straight off gRPC's stream; skips anything else. */
  static final class Marshaller implements MethodDescriptor.Marshaller<OrderView> {
    private final boolean keepTables;

    /** @param keepTables copy the tables out of the message; false skips them without copying */
    Marshaller(boolean keepTables) {
      this.keepTables = keepTables;
    }

    @Override
    public InputStream stream(OrderView value) {
      throw new UnsupportedOperationException("sidecars only receive orders");
    }

    @Override
    public OrderView parse(InputStream in) {
      try {
        String operation = "";
        long version = 0;
        ByteString tables = keepTables ? ByteString.EMPTY : null;
        for (long tag = varint(in, true); tag >= 0; tag = varint(in, true)) {
          int field = (int) (tag >>> 3);
          switch ((int) (tag & 7)) {
            case 0 -> {
              long v = varint(in, false);
              if (field == 3) {
                version = v;
              }
            }
            case 2 -> {
              int length = Math.toIntExact(varint(in, false));
              if (field == 2) {
                operation = new String(in.readNBytes(length), StandardCharsets.UTF_8);
              } else if (field == 1 && keepTables) {
                tables = UnsafeByteOperations.unsafeWrap(in.readNBytes(length)); // the array is ours alone
              } else {
                skip(in, length);
              }
            }
            case 1 -> skip(in, 8);
            case 5 -> skip(in, 4);
            default -> throw new IOException("unsupported wire type in tag " + tag);
          }
        }
        return new OrderView(operation, version, tables);
      } catch (IOException | ArithmeticException e) {
        throw Status.INTERNAL.withDescription("invalid PlacementOrder").withCause(e).asRuntimeException();
      }
    }

    /** A base-128 varint; -1 at a clean end of the stream when {@code endAllowed}. */
    private static long varint(InputStream in, boolean endAllowed) throws IOException {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = in.read();
        if (b < 0) {
          if (endAllowed && shift == 0) {
            return -1;
          }
          throw new EOFException("truncated varint");
        }
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IOException("varint longer than 10 bytes");
    }

    private static void skip(InputStream in, long n) throws IOException {
      while (n > 0) {
        long skipped = in.skip(n);
        if (skipped <= 0) {
          if (in.read() < 0) {
            throw new EOFException("truncated field");
          }
          skipped = 1;
        }
        n -= skipped;
      }
    }
  }
}
