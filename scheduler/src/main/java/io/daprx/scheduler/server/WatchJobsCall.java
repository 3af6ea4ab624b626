package io.daprx.scheduler.server;

import io.daprx.proto.scheduler.v1.ConcurrencyLimit;
import io.daprx.proto.scheduler.v1.JobTargetType;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResultStatus;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.daprx.scheduler.delivery.TriggerEvent;
import io.daprx.scheduler.delivery.TriggerLoop;
import io.daprx.scheduler.delivery.WatchStream;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One WatchJobs call: checks the handshake ({@code initial} first and once, authorized), then hands the stream to
 * the trigger loop and passes it each result. A message out of protocol ends the stream with INVALID_ARGUMENT.
 */
final class WatchJobsCall implements StreamObserver<WatchJobsRequest>, WatchStream {

  private final ServerCallStreamObserver<WatchJobsResponse> responses;
  private final Authorizer authorizer;
  private final TriggerLoop loop;
  private volatile WatchJobsRequestInitial initial;
  private volatile boolean acceptsJobs;
  private volatile boolean done;

  WatchJobsCall(ServerCallStreamObserver<WatchJobsResponse> responses, Authorizer authorizer, TriggerLoop loop) {
    this.responses = responses;
    this.authorizer = authorizer;
    this.loop = loop;
  }

  @Override
  public void onNext(WatchJobsRequest request) {
    if (done) {
      return;
    }
    if (initial == null) {
      handshake(request);
      return;
    }
    switch (request.getWatchJobRequestTypeCase()) {
      case RESULT -> {
        WatchJobsRequestResultStatus status = request.getResult().getStatus();
        if (status == WatchJobsRequestResultStatus.UNRECOGNIZED) {
          end(Status.INVALID_ARGUMENT.withDescription("unknown result status " + request.getResult().getStatusValue()));
        } else {
          loop.post(new TriggerEvent.Result(this, request.getResult().getId(), status == WatchJobsRequestResultStatus.SUCCESS));
        }
      }
      case INITIAL -> end(Status.INVALID_ARGUMENT.withDescription("a stream sends initial once, first"));
      default -> end(Status.INVALID_ARGUMENT.withDescription("empty WatchJobsRequest: expected a result"));
    }
  }

  private void handshake(WatchJobsRequest request) {
    if (!request.hasInitial()) {
      reject(Status.INVALID_ARGUMENT.withDescription("initial request is required on stream connection"));
      return;
    }
    WatchJobsRequestInitial first = request.getInitial();
    try {
      authorizer.check(first.getNamespace(), first.getAppId());
    } catch (StatusRuntimeException e) {
      reject(e.getStatus());
      return;
    }
    Set<JobTargetType> types = EnumSet.noneOf(JobTargetType.class);
    for (JobTargetType t : first.getAcceptJobTypesList()) {
      if (t == JobTargetType.UNRECOGNIZED || !types.add(t)) {
        reject(Status.INVALID_ARGUMENT.withDescription("duplicate or unknown target type specified: " + t));
        return;
      }
    }
    acceptsJobs = types.isEmpty() || types.contains(JobTargetType.JOB_TARGET_TYPE_JOB);
    initial = first;
    loop.post(new TriggerEvent.Opened(this));
  }

  /** Ends the call before the loop knows it. */
  private void reject(Status status) {
    done = true;
    responses.onError(status.asRuntimeException());
  }

  /** Ends the call through the loop, which hands its triggers in flight to other streams. */
  private void end(Status status) {
    done = true;
    loop.post(new TriggerEvent.Ended(this, status));
  }

  @Override
  public void onError(Throwable t) {
    clientLeft();
  }

  @Override
  public void onCompleted() {
    if (!done && initial != null) {
      done = true;
      loop.post(new TriggerEvent.Ended(this, Status.OK));
    } else if (!done) {
      reject(Status.INVALID_ARGUMENT.withDescription("stream closed before its initial request"));
    }
  }

  private void clientLeft() {
    if (!done) {
      done = true;
      if (initial != null) {
        loop.post(new TriggerEvent.Ended(this, null));
      }
    }
  }

  // --- WatchStream, called by the loop only

  @Override
  public String namespace() {
    return initial.getNamespace();
  }

  @Override
  public String appId() {
    return initial.getAppId();
  }

  @Override
  public boolean acceptsJobs() {
    return acceptsJobs;
  }

  @Override
  public List<String> actorTypes() {
    return initial.getActorTypesList();
  }

  @Override
  public List<ConcurrencyLimit> concurrencyLimits() {
    return initial.getConcurrencyLimitsList();
  }

  @Override
  public boolean isReady() {
    return responses.isReady();
  }

  @Override
  public void send(WatchJobsResponse trigger) {
    if (!responses.isCancelled()) {
      responses.onNext(trigger);
    }
  }

  @Override
  public void close(Status status) {
    if (responses.isCancelled()) {
      return;
    }
    try {
      if (status.isOk()) {
        responses.onCompleted();
      } else {
        responses.onError(status.asRuntimeException());
      }
    } catch (IllegalStateException alreadyClosed) {
      // the call ended on its own meanwhile
    }
  }

  @Override
  public String toString() {
    return "WatchJobs(" + (initial == null ? "?" : initial.getNamespace() + "/" + initial.getAppId()) + ")";
  }
}
