package io.daprx.scheduler.store;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** The Ratis configuration of the replicated job store: every Ratis setting we change, in one place. */
final class StoreSettings {

  /** A snapshot (a table checkpoint: cheap, hard links) every this many entries lets Ratis purge its log. */
  static final long SNAPSHOT_EVERY = 100_000;
  /**
   * A replica's job writes on their way at once; more wait and go out together as one entry (group commit,
   * {@link CommandBatcher}). Two keeps the log busy while a group forms; 1, 2 and 4 measured alike (2,140–2,280
   * workflow cycles/s on three replica processes, two shared cores).
   */
  static final int WRITES_IN_FLIGHT = 2;
  /** The most commands and bytes in one entry: a group is applied in one go on Ratis' apply thread. */
  static final int GROUP_COMMANDS = 256;
  static final int GROUP_BYTES = 1 << 20;
  private static final SizeInBytes SEGMENT_MAX = SizeInBytes.valueOf("32MB");
  private static final SizeInBytes SEGMENT_CACHE_MAX = SizeInBytes.valueOf("64MB");
  /** Room for a job's command beside the job itself. */
  private static final int ENTRY_OVERHEAD = 64 << 10;

  private StoreSettings() {}

  static RaftProperties server(ReplicaOptions options) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(options.raftDir().toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(p, options.raftDir().resolve("removed-groups").toFile());
    GrpcConfigKeys.Server.setPort(p, options.peers().get(options.selfId()).getPort());
    if (options.bindHost() != null) {
      GrpcConfigKeys.Server.setHost(p, options.bindHost());
    }
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(ReplicaOptions.ELECTION_MIN.toMillis()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(ReplicaOptions.ELECTION_MAX.toMillis()));
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    // reads: the read index from the leader (a follower asks it), then this replica's table
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);

    // a job may be large (workflow payloads): the largest entry bounds Ratis' buffers, the write buffer a little more
    int entryMax = options.maxEntryBytes() + ENTRY_OVERHEAD;
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entryMax));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entryMax + 8));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(entryMax + (1 << 20)));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SEGMENT_MAX);
    // Ratis keeps the entries of up to six closed segments on the heap by default (200 MB), for followers that lag;
    // the jobs are in RocksDB already, a lagging follower reads the log from disk (or gets a snapshot), and with a
    // million jobs stored that cache was what took a replica's RSS past its 768 MB
    RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 2);
    RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SEGMENT_CACHE_MAX);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);

    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, SNAPSHOT_EVERY);
    return p;
  }

  static RaftProperties client() {
    RaftProperties p = new RaftProperties();
    org.apache.ratis.RaftConfigKeys.Rpc.setType(p, org.apache.ratis.rpc.SupportedRpcType.GRPC);
    // the trigger loop's progress updates are sent without waiting: let many be on the way at once
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 2048);
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(3000));
    // the first request goes out at once instead of behind a probe of the leader
    RaftClientConfigKeys.Async.Experimental.setSendDummyRequest(p, false);
    return p;
  }

  /** About 10 s of retries (an election takes 2–3 s), then the rpc fails with UNAVAILABLE. */
  static RetryPolicy retryPolicy() {
    return RetryPolicies.retryUpToMaximumCountWithFixedSleep(100, ms(100));
  }

  static Parameters parameters(ReplicaOptions options) {
    Parameters parameters = new Parameters();
    if (options.mtls()) {
      GrpcConfigKeys.TLS.setConf(parameters, new GrpcTlsConfig(options.keyManager(), options.trustManager(), true));
    }
    return parameters;
  }

  private static TimeDuration ms(long millis) {
    return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
  }
}
