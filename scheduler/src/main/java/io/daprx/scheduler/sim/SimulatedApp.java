package io.daprx.scheduler.sim;

import io.daprx.proto.scheduler.v1.Host;
import io.daprx.proto.scheduler.v1.SchedulerGrpc;
import io.daprx.proto.scheduler.v1.WatchHostsRequest;
import io.daprx.proto.scheduler.v1.WatchHostsResponse;
import io.daprx.proto.scheduler.v1.WatchJobsRequest;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResult;
import io.daprx.proto.scheduler.v1.WatchJobsRequestResultStatus;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One simulated daprd on the scheduler's side of the wire, doing what daprd does: WatchHosts on a configured address,
 * read the <em>first</em> message (every replica's address), open {@code jobStreams} WatchJobs streams to each
 * replica (each beginning with {@code initial}), answer every trigger with a result, and start over — fresh host list,
 * fresh streams — when WatchHosts sends again or any stream fails. What it answers is up to the caller
 * ({@link Answer}), so tests and benchmarks can make an app fail on purpose, hang, or go away ({@link #disconnect}).
 *
 * <p>It also checks the server: ids on a stream count up from 1, and every trigger is for this app (a job of its
 * app id, or a reminder of an actor type it hosts, in its namespace); anything else is a {@link #violations violation}.
 */
public final class SimulatedApp implements AutoCloseable {

  /** daprd waits a moment before dialing again after an error. */
  private static final long RECONNECT_DELAY_MILLIS = 250;

  private final AppSpec spec;
  private final List<String> seeds;
  private final Function<String, Channel> channels;
  private final ScheduledExecutorService timer;
  private final Function<WatchJobsResponse, Answer> answers;
  private final Consumer<Delivery> listener;
  private final LongSupplier nanoTime;
  private final Clock clock;
  private final AtomicLong received = new AtomicLong();
  private final List<String> violations = new CopyOnWriteArrayList<>();

  // guarded by this
  private Session session;
  private int generation;
  private int nextSeed;
  private boolean stopped = true;

  /**
   * @param seeds the configured scheduler addresses ({@code --scheduler-host-address}), tried in turn
   * @param channels the channel this app's identity uses to reach an address
   * @param timer runs reconnects after errors (shared by a fleet of apps)
   * @param answers decides each trigger's result (called on the transport thread: keep it short)
   * @param listener hears every delivery (called on the transport thread: keep it short)
   */
  public SimulatedApp(AppSpec spec, List<String> seeds, Function<String, Channel> channels, ScheduledExecutorService timer,
      Function<WatchJobsResponse, Answer> answers, Consumer<Delivery> listener, LongSupplier nanoTime, Clock clock) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("a simulated app needs at least one scheduler address");
    }
    this.spec = spec;
    this.seeds = List.copyOf(seeds);
    this.channels = channels;
    this.timer = timer;
    this.answers = answers;
    this.listener = listener;
    this.nanoTime = nanoTime;
    this.clock = clock;
  }

  public AppSpec spec() {
    return spec;
  }

  /** Starts (or restarts) watching hosts and opening streams. */
  public SimulatedApp connect() {
    Session previous;
    synchronized (this) {
      stopped = false;
      previous = start();
    }
    cancel(previous, "simulated app starts over");
    return this;
  }

  /** The app goes away: every stream ends from this side, nothing reconnects. */
  public void disconnect() {
    Session previous;
    synchronized (this) {
      stopped = true;
      previous = session;
      session = null;
    }
    cancel(previous, "simulated app goes away");
  }

  /** The replicas of the current session's first WatchHosts message; empty before it came. */
  public synchronized List<String> hosts() {
    return session == null ? List.of() : List.copyOf(session.hosts);
  }

  /** Whether every stream of the current session is open: {@code jobStreams} to each replica. */
  public synchronized boolean isConnected() {
    return session != null && !session.hosts.isEmpty() && session.openStreams() == session.hosts.size() * spec.jobStreams();
  }

  /** How many times this app started over (a new host list or a failed stream). */
  public synchronized int generation() {
    return generation;
  }

  public long received() {
    return received.get();
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  @Override
  public void close() {
    disconnect();
  }

  // --- sessions: one WatchHosts call and the streams opened from its first message

  /**
   * Opens a new session; returns the one it replaces, for the caller to cancel once it let go of this app's lock.
   * Lock order: a stream's lock may be held while gRPC calls back into this app (a send that fails closes its call
   * inline, and the close restarts the app), so this app's lock is never held while cancelling streams.
   */
  private Session start() {
    Session previous = session;
    generation++;
    String seed = seeds.get(Math.floorMod(nextSeed++, seeds.size()));
    session = new Session(generation, seed);
    session.watchHosts();
    return previous;
  }

  private static void cancel(Session s, String why) {
    if (s != null) {
      s.cancel(why);
    }
  }

  /** Called by a session that ended on its own: start over, at once for a new host list, a moment later on error. */
  private void restart(Session from, boolean afterError) {
    synchronized (this) {
      if (stopped || session != from) {
        return;
      }
      session = null;
    }
    from.cancel("simulated app starts over");
    Runnable again = () -> {
      synchronized (this) {
        if (!stopped && session == null) {
          start(); // replaces nothing: the session is null
        }
      }
    };
    if (afterError) {
      timer.schedule(again, RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      timer.execute(again);
    }
  }

  private final class Session {
    final int id;
    final String seed;
    final List<String> hosts = new ArrayList<>(); // guarded by SimulatedApp.this
    final List<JobStream> streams = new CopyOnWriteArrayList<>();
    volatile ClientCallStreamObserver<WatchHostsRequest> hostsCall;
    volatile boolean cancelled;

    Session(int id, String seed) {
      this.id = id;
      this.seed = seed;
    }

    void watchHosts() {
      SchedulerGrpc.newStub(channels.apply(seed)).watchHosts(WatchHostsRequest.getDefaultInstance(),
          new ClientResponseObserver<WatchHostsRequest, WatchHostsResponse>() {
            boolean first = true;

            @Override
            public void beforeStart(ClientCallStreamObserver<WatchHostsRequest> call) {
              hostsCall = call;
            }

            @Override
            public void onNext(WatchHostsResponse value) {
              if (!first) {
                restart(Session.this, false); // daprd reads the first message only; another one means "dial again"
                return;
              }
              first = false;
              List<String> hosts = value.getHostsList().stream().map(Host::getAddress).toList();
              // not on the transport thread: getting a channel may mean getting an SVID from sentry first, a
              // blocking call that could wait on this very thread
              timer.execute(() -> open(hosts));
            }

            @Override
            public void onError(Throwable t) {
              if (Status.fromThrowable(t).getCode() == Status.Code.UNIMPLEMENTED && first) {
                first = false;
                timer.execute(() -> open(seeds)); // a scheduler without WatchHosts: the configured addresses are the hosts
                return;
              }
              restart(Session.this, true);
            }

            @Override
            public void onCompleted() {
              restart(Session.this, true);
            }
          });
    }

    void open(List<String> addresses) {
      synchronized (SimulatedApp.this) {
        if (cancelled) {
          return;
        }
        hosts.addAll(addresses);
      }
      for (String host : addresses) {
        for (int i = 0; i < spec.jobStreams(); i++) {
          JobStream s = new JobStream(this, host);
          streams.add(s);
          s.open();
        }
      }
    }

    int openStreams() {
      return (int) streams.stream().filter(s -> s.open && !s.ended).count();
    }

    void cancel(String why) {
      cancelled = true;
      if (hostsCall != null) {
        hostsCall.cancel(why, null);
      }
      for (JobStream s : streams) {
        s.cancel(why);
      }
    }
  }

  private final class JobStream implements ClientResponseObserver<WatchJobsRequest, WatchJobsResponse> {
    final Session session;
    final String host;
    ClientCallStreamObserver<WatchJobsRequest> call;
    long lastId;
    volatile boolean open;
    volatile boolean ended;

    JobStream(Session session, String host) {
      this.session = session;
      this.host = host;
    }

    void open() {
      synchronized (this) {
        if (ended) {
          return; // the session was cancelled first
        }
        SchedulerGrpc.newStub(channels.apply(host)).watchJobs(this);
      }
      send(WatchJobsRequest.newBuilder().setInitial(spec.initial()).build());
      open = true;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WatchJobsRequest> c) {
      this.call = c;
    }

    @Override
    public void onNext(WatchJobsResponse trigger) {
      long now = nanoTime.getAsLong();
      received.incrementAndGet();
      check(trigger);
      Answer answer = answers.apply(trigger);
      if (answer != Answer.NONE) {
        send(WatchJobsRequest.newBuilder().setResult(WatchJobsRequestResult.newBuilder().setId(trigger.getId())
            .setStatus(answer == Answer.SUCCESS ? WatchJobsRequestResultStatus.SUCCESS : WatchJobsRequestResultStatus.FAILED))
            .build());
      }
      listener.accept(new Delivery(spec, host, trigger, now, clock.millis(), answer));
    }

    private void check(WatchJobsResponse t) {
      if (t.getId() != lastId + 1) {
        violations.add(spec.appId() + " on " + host + ": trigger id " + Long.toUnsignedString(t.getId()) + " after "
            + lastId + " (ids count up from 1 on each stream)");
      }
      lastId = t.getId();
      var m = t.getMetadata();
      if (!m.getNamespace().equals(spec.namespace())) {
        violations.add(spec.appId() + ": trigger " + t.getName() + " of namespace " + m.getNamespace());
      } else if (m.getTarget().hasActor()) {
        if (!spec.actorTypes().contains(m.getTarget().getActor().getType())) {
          violations.add(spec.appId() + ": reminder " + t.getName() + " for actor type " + m.getTarget().getActor().getType()
              + ", which it does not host");
        }
      } else if (!spec.acceptsJobs() || !m.getAppId().equals(spec.appId())) {
        violations.add(spec.appId() + ": job " + t.getName() + " of app " + m.getAppId());
      }
    }

    private synchronized void send(WatchJobsRequest r) {
      if (!ended) {
        call.onNext(r);
      }
    }

    @Override
    public void onError(Throwable t) {
      ended = true;
      restart(session, true);
    }

    @Override
    public void onCompleted() {
      ended = true;
      restart(session, true);
    }

    synchronized void cancel(String why) {
      if (!ended) {
        ended = true;
        if (call != null) { // null: cancelled before it was opened, and open() then sends nothing
          call.cancel(why, null);
        }
      }
    }
  }
}
