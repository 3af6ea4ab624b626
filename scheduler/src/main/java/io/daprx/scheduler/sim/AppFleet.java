package io.daprx.scheduler.sim;

import io.daprx.common.runtime.DaemonThreads;
import io.daprx.common.svid.SidecarChannels;
import io.daprx.proto.scheduler.v1.WatchJobsResponse;
import io.grpc.Channel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Simulated daprd sidecars against one scheduler (any of its replicas as the seed), sharing channels per replica
 * address and one timer for reconnects.
 */
public final class AppFleet implements AutoCloseable {

  private final List<String> seeds;
  private final Function<String, SidecarChannels> channelsTo;
  private final Map<String, SidecarChannels> byAddress = new ConcurrentHashMap<>();
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final Function<WatchJobsResponse, Answer> answers;
  private final Consumer<Delivery> listener;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("sim-apps"));
  private final List<SimulatedApp> apps = new CopyOnWriteArrayList<>();

  /**
   * @param seeds the scheduler addresses the apps are configured with
   * @param channelsTo how to reach one address (plaintext for load, mTLS with an SVID per app for identity)
   * @param answers each trigger's result, for every app (per-app behaviour: look at the trigger's metadata)
   * @param listener hears every delivery, on the transport thread
   */
  public AppFleet(List<String> seeds, Function<String, SidecarChannels> channelsTo, Function<WatchJobsResponse, Answer> answers,
      Consumer<Delivery> listener, Clock clock) {
    this.seeds = List.copyOf(seeds);
    this.channelsTo = channelsTo;
    this.answers = answers;
    this.listener = listener;
    this.clock = clock;
  }

  /** Plaintext, {@code channelsPerAddress} shared channels to each replica, every trigger answered SUCCESS. */
  public static AppFleet plaintext(List<String> seeds, int channelsPerAddress, Consumer<Delivery> listener) {
    return new AppFleet(seeds, a -> SidecarChannels.plaintext(a, channelsPerAddress, true), t -> Answer.SUCCESS, listener,
        Clock.systemUTC());
  }

  /** A new app, connected. */
  public SimulatedApp connect(AppSpec spec) {
    SimulatedApp app = new SimulatedApp(spec, seeds, address -> channel(spec, address), timer, answers, listener,
        System::nanoTime, clock);
    apps.add(app);
    return app.connect();
  }

  public List<SimulatedApp> apps() {
    return List.copyOf(apps);
  }

  /** Every app has all its streams open. */
  public boolean allConnected() {
    return apps.stream().allMatch(SimulatedApp::isConnected);
  }

  public long received() {
    return apps.stream().mapToLong(SimulatedApp::received).sum();
  }

  public List<String> violations() {
    List<String> out = new ArrayList<>();
    apps.forEach(a -> out.addAll(a.violations()));
    return out;
  }

  /** A channel to the first seed, for the apps' own calls (ScheduleJob and the like) in plaintext or as {@code spec}. */
  public Channel channel(AppSpec spec) {
    return channel(spec, seeds.get(0));
  }

  /**
   * The app's channel to one replica, in plaintext or as {@code spec}: made once and kept, as daprd keeps one
   * connection (an mTLS channel costs an SVID from sentry and a handshake).
   */
  public Channel channel(AppSpec spec, String address) {
    return channels.computeIfAbsent(spec.namespace() + "/" + spec.appId() + "@" + address,
        k -> byAddress.computeIfAbsent(address, channelsTo).channelFor(spec.namespace(), spec.appId()));
  }

  @Override
  public void close() {
    apps.forEach(SimulatedApp::disconnect);
    byAddress.values().forEach(SidecarChannels::close);
    timer.shutdownNow();
  }
}
