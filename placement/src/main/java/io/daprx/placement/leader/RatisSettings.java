package io.daprx.placement.leader;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** The Ratis configuration of a placement replica: every Ratis setting we change, in one place. */
final class RatisSettings {

  /** Warn when no leader has been known for this long (Ratis' default, 60 s, is too late to be useful). */
  static final Duration NO_LEADER_WARNING = Duration.ofSeconds(10);

  /**
   * The log holds one configuration entry per term and nothing else, so Ratis' buffers (an 8 MB direct write
   * buffer, 4 MB preallocated segments) would only cost memory in a small control-plane JVM.
   */
  private static final SizeInBytes LOG_ENTRY_LIMIT = SizeInBytes.valueOf("64KB");
  private static final SizeInBytes LOG_WRITE_BUFFER = SizeInBytes.valueOf("128KB");
  private static final SizeInBytes LOG_PREALLOCATED = SizeInBytes.valueOf("64KB");
  private static final SizeInBytes LOG_SEGMENT_MAX = SizeInBytes.valueOf("1MB");

  private RatisSettings() {}

  static RaftProperties properties(RatisOptions options, Path replicaDir) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(replicaDir.toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(p, replicaDir.resolve("removed-groups").toFile());

    InetSocketAddress self = options.peers().get(options.selfId());
    GrpcConfigKeys.Server.setPort(p, self.getPort());
    String bindHost = bindHost(self.getHostString());
    if (bindHost != null) {
      GrpcConfigKeys.Server.setHost(p, bindHost);
    }

    RaftServerConfigKeys.Rpc.setTimeoutMin(p, duration(options.timeouts().min()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, duration(options.timeouts().max()));
    // a replica that rejoins must not depose a healthy leader: it first asks whether it could win (Ratis' default)
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    RaftServerConfigKeys.Notification.setNoLeaderTimeout(p, duration(NO_LEADER_WARNING));

    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, LOG_ENTRY_LIMIT);
    RaftServerConfigKeys.Log.setWriteBufferSize(p, LOG_WRITE_BUFFER);
    RaftServerConfigKeys.Log.setPreallocatedSize(p, LOG_PREALLOCATED);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, LOG_SEGMENT_MAX);
    // the log is disposable (no replicated state): a torn tail after a crash must not keep the replica down
    RaftServerConfigKeys.Log.setCorruptionPolicy(p, RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN);
    return p;
  }

  /** TLS material for the peer port and for the connections to other peers; empty parameters mean plaintext. */
  static Parameters parameters(RatisOptions options) {
    Parameters parameters = new Parameters();
    if (options.mtls()) {
      GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(options.keyManager(), options.trustManager(), true));
    }
    return parameters;
  }

  /**
   * A replica addressed on loopback (a local cluster) listens on loopback only; any other address may be a DNS
   * name that only resolves once the pod is ready, or a Service IP that is not an interface, so listen on all.
   */
  static String bindHost(String selfHost) {
    String h = selfHost.toLowerCase();
    if (h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return selfHost;
    }
    return null;
  }

  private static TimeDuration duration(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
