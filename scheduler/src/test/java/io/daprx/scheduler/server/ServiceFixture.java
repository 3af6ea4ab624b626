package io.daprx.scheduler.server;

import io.daprx.common.testing.TestClock;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.ScheduleJobRequest;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.scheduler.delivery.TriggerEvent;
import io.daprx.scheduler.delivery.TriggerLoop;
import io.daprx.scheduler.job.InMemoryJobStore;
import io.daprx.scheduler.metrics.SchedulerMetrics;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler service on an in-process server, with a hand-moved clock and a caller identity each client picks
 * (a header read by a test interceptor standing in for the mTLS peer certificate).
 */
final class ServiceFixture implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
  private static final Metadata.Key<String> AS = Metadata.Key.of("x-test-spiffe-id", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<SpiffeId> CALLER = Context.key("test-caller");

  final TestClock clock = new TestClock(T0);
  final InMemoryJobStore store = new InMemoryJobStore();
  final TriggerLoop loop;
  final HostsWatch hosts = new HostsWatch(List.of("10.0.0.9:50006"));
  private final Server server;
  private final String name;

  ServiceFixture(boolean identityChecks, int maxJobBytes) throws Exception {
    name = InProcessServerBuilder.generateName();
    SchedulerMetrics metrics = new SchedulerMetrics(new SimpleMeterRegistry());
    loop = new TriggerLoop(store, clock, metrics).start();
    SchedulerService service = new SchedulerService(store, loop, hosts, identityChecks,
        () -> Optional.ofNullable(CALLER.get()), metrics, clock, maxJobBytes);
    ServerInterceptor identity = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String id = headers.get(AS);
        return id == null ? next.startCall(call, headers)
            : Contexts.interceptCall(Context.current().withValue(CALLER, SpiffeId.parse(id)), call, headers, next);
      }
    };
    server = InProcessServerBuilder.forName(name).addService(ServerInterceptors.intercept(service, identity)).build().start();
  }

  ServiceFixture() throws Exception {
    this(false, 1 << 20);
  }

  /** A channel whose calls come from {@code spiffe://public/ns/<ns>/<app>} (null: no identity). */
  ManagedChannel channel(String namespace, String appId) {
    InProcessChannelBuilder b = InProcessChannelBuilder.forName(name);
    if (namespace != null) {
      String id = SpiffeId.of("public", namespace, appId).toString();
      b.intercept(new ClientInterceptor() {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
          return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
              headers.put(AS, id);
              super.start(listener, headers);
            }
          };
        }
      });
    }
    return b.build();
  }

  SchedulerGrpc.SchedulerBlockingStub blocking(ManagedChannel channel) {
    return SchedulerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Moves the clock and lets the loop look at it. */
  void advance(Duration d) {
    clock.advance(d);
    loop.post(new TriggerEvent.Wake());
  }

  TriggerEvent.LoopState state() {
    return loop.state().join();
  }

  static JobMetadata app(String ns, String appId) {
    return JobMetadata.newBuilder().setNamespace(ns).setAppId(appId)
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
  }

  static JobMetadata actor(String ns, String appId, String type, String id) {
    return JobMetadata.newBuilder().setNamespace(ns).setAppId(appId)
        .setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setType(type).setId(id))).build();
  }

  static ScheduleJobRequest schedule(String name, JobMetadata m, Job job) {
    return ScheduleJobRequest.newBuilder().setName(name).setMetadata(m).setJob(job).build();
  }

  @Override
  public void close() {
    loop.close();
    hosts.close();
    server.shutdownNow();
  }
}
