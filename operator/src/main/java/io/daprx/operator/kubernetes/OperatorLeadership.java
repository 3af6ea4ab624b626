package io.daprx.operator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a controller only while this replica holds the Lease {@code operator.dapr.io} in the control-plane namespace
 * (fabric8's leader elector). Losing the lease stops the controller; the elector then campaigns again.
 */
public final class OperatorLeadership implements AutoCloseable {

  /** The Lease the replicas compete for, as upstream's. */
  public static final String LEASE_NAME = "operator.dapr.io";
  private static final Logger LOG = LoggerFactory.getLogger(OperatorLeadership.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String identity;
  private final Supplier<AutoCloseable> controller;
  private final Duration leaseDuration;
  private volatile boolean closed;
  private volatile boolean leader;
  private AutoCloseable running;
  private CompletableFuture<?> election;

  /**
   * @param identity this replica's name in the Lease (e.g. the pod name)
   * @param controller starts the controller (called when leadership is won); closed when it is lost
   */
  public OperatorLeadership(KubernetesClient client, String namespace, String identity, Duration leaseDuration,
      Supplier<AutoCloseable> controller) {
    this.client = client;
    this.namespace = namespace;
    this.identity = identity;
    this.leaseDuration = leaseDuration;
    this.controller = controller;
  }

  public OperatorLeadership start() {
    campaign();
    return this;
  }

  private synchronized void campaign() {
    if (closed) {
      return;
    }
    election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName(LEASE_NAME)
        .withLock(new LeaseLock(namespace, LEASE_NAME, identity))
        .withLeaseDuration(leaseDuration)
        .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
        .withRetryPeriod(leaseDuration.dividedBy(5))
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(this::won, this::lost,
            id -> LOG.info("operator leader is {}", id)))
        .build()).build().start();
    election.whenComplete((ok, err) -> {
      if (!closed) {
        campaign(); // the elector ends after losing the lease: stand again
      }
    });
  }

  private synchronized void won() {
    if (closed || running != null) {
      return;
    }
    LOG.info("{} leads ({}/{}): starting the controllers", identity, namespace, LEASE_NAME);
    leader = true;
    running = controller.get();
  }

  private synchronized void lost() {
    leader = false;
    if (running != null) {
      LOG.info("{} lost the lease {}/{}: stopping the controllers", identity, namespace, LEASE_NAME);
      try {
        running.close();
      } catch (Exception e) {
        LOG.warn("stopping the controllers failed: {}", e.toString());
      }
      running = null;
    }
  }

  public boolean isLeader() {
    return leader;
  }

  @Override
  public void close() {
    CompletableFuture<?> e;
    synchronized (this) {
      closed = true;
      e = election;
    }
    if (e != null) {
      e.cancel(true); // releases the lease (releaseOnCancel) and calls lost()
    }
    lost();
  }
}
