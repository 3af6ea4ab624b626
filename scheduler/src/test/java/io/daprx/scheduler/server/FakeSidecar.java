package io.daprx.scheduler.server;

import io.daprx.proto.scheduler.v1.JobTargetType;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequestInitial;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResult;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResultStatus;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One WatchJobs stream as daprd opens it: triggers land in a queue, results are sent by the test. */
final class FakeSidecar {

  final BlockingQueue<WatchJobsResponse> triggers = new LinkedBlockingQueue<>();
  private volatile Status closedWith;
  private ClientCallStreamObserver<WatchJobsRequest> requests;

  /** Opens the stream; {@code initial} null sends nothing yet. */
  static FakeSidecar open(Channel channel, WatchJobsRequestInitial initial) {
    FakeSidecar s = new FakeSidecar();
    SchedulerGrpc.newStub(channel).watchJobs(new ClientResponseObserver<WatchJobsRequest, WatchJobsResponse>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<WatchJobsRequest> r) {
        s.requests = r;
        // always hungry, like daprd with its workers idle: the server sees the stream ready
        r.disableAutoRequestWithInitial(64);
      }

      @Override
      public void onNext(WatchJobsResponse value) {
        s.triggers.add(value);
        s.requests.request(1);
      }

      @Override
      public void onError(Throwable t) {
        s.closedWith = Status.fromThrowable(t);
      }

      @Override
      public void onCompleted() {
        s.closedWith = Status.OK;
      }
    });
    if (initial != null) {
      s.send(WatchJobsRequest.newBuilder().setInitial(initial).build());
    }
    return s;
  }

  static WatchJobsRequestInitial initial(String ns, String appId, List<String> actorTypes, JobTargetType... accept) {
    return WatchJobsRequestInitial.newBuilder().setNamespace(ns).setAppId(appId).addAllActorTypes(actorTypes)
        .addAllAcceptJobTypes(List.of(accept)).build();
  }

  synchronized void send(WatchJobsRequest r) {
    requests.onNext(r);
  }

  void ack(WatchJobsResponse trigger, boolean success) {
    send(WatchJobsRequest.newBuilder().setResult(WatchJobsRequestResult.newBuilder().setId(trigger.getId())
        .setStatus(success ? WatchJobsRequestResultStatus.SUCCESS : WatchJobsRequestResultStatus.FAILED)).build());
  }

  /** The next trigger, waiting up to 5 s; null if none came. */
  WatchJobsResponse next() throws InterruptedException {
    return triggers.poll(5, TimeUnit.SECONDS);
  }

  /** No trigger within a short grace period (the loop is asked first, so pending work has run). */
  WatchJobsResponse nextOrNull() throws InterruptedException {
    return triggers.poll(200, TimeUnit.MILLISECONDS);
  }

  Status closedWith() {
    return closedWith;
  }

  void cancel() {
    requests.cancel("test: sidecar goes away", null);
  }
}
