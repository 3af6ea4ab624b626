package io.daprx.scheduler.server;

import io.daprx.scheduler.job.InvalidJobException;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a unary rpc's outcome becomes a gRPC status and a metric: one rule for the sidecars' API and the admin API. */
final class Rpcs {

  private static final Logger LOG = LoggerFactory.getLogger(Rpcs.class);

  private Rpcs() {}

  @FunctionalInterface
  interface Call<Q, R> {
    R apply(Q request);
  }

  /** A status as given; an invalid job INVALID_ARGUMENT with its message; anything else INTERNAL, logged. */
  static Status status(String rpc, RuntimeException e) {
    if (e instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (e instanceof InvalidJobException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    LOG.error("{} failed: {}", rpc, e.toString(), e);
    return Status.INTERNAL.withDescription(rpc + " failed: " + e.getMessage());
  }

  /** Runs {@code call}, answers with its response or its status, and counts the outcome under {@code rpc}. */
  static <Q, R> void unary(SchedulerMetrics metrics, String rpc, Q request, StreamObserver<R> responses, Call<Q, R> call) {
    R response;
    try {
      response = call.apply(request);
    } catch (RuntimeException e) {
      Status s = status(rpc, e);
      metrics.rpc(rpc, s.getCode());
      responses.onError(s.asRuntimeException());
      return;
    }
    metrics.rpc(rpc, Status.Code.OK);
    responses.onNext(response);
    responses.onCompleted();
  }
}
