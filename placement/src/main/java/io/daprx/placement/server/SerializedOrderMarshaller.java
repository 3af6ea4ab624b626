package io.daprx.placement.server;

import io.daprx.placement.dissemination.SerializedOrder;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Writes a {@link SerializedOrder}'s bytes as they are. The stream is {@link KnownLength} and {@link Drainable} so
 * gRPC frames it without buffering it a second time; the shared array is only read.
 */
final class SerializedOrderMarshaller implements MethodDescriptor.Marshaller<SerializedOrder> {

  @Override
  public InputStream stream(SerializedOrder value) {
    return new Bytes(value.bytes());
  }

  @Override
  public SerializedOrder parse(InputStream stream) {
    throw new UnsupportedOperationException("placement only sends orders");
  }

  private static final class Bytes extends ByteArrayInputStream implements KnownLength, Drainable {
    Bytes(byte[] buf) {
      super(buf);
    }

    @Override
    public synchronized int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }
}
