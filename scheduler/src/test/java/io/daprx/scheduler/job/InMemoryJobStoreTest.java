package io.daprx.scheduler.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.proto.scheduler.v1.TargetJob;
import io.daprx.scheduler.job.JobCommand.Advance;
import io.daprx.scheduler.job.JobCommand.Delete;
import io.daprx.scheduler.job.JobCommand.DeleteWhere;
import io.daprx.scheduler.job.JobCommand.Put;
import io.daprx.scheduler.time.Ticks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryJobStoreTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  static StoredJob appJob(String ns, String app, String name) {
    JobMetadata m = JobMetadata.newBuilder().setNamespace(ns).setAppId(app)
        .setTarget(JobTargetMetadata.newBuilder().setJob(TargetJob.getDefaultInstance())).build();
    return JobRequests.toStored(name, m, Job.newBuilder().setDueTime("1h").build(), NOW, 1 << 20);
  }

  static StoredJob reminder(String ns, String app, String type, String id, String name) {
    JobMetadata m = JobMetadata.newBuilder().setNamespace(ns).setAppId(app)
        .setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setType(type).setId(id))).build();
    return JobRequests.toStored(name, m, Job.newBuilder().setSchedule("@every 1s").build(), NOW, 1 << 20);
  }

  private final InMemoryJobStore store = new InMemoryJobStore();
  private final List<JobChange> heard = new ArrayList<>();

  {
    store.subscribe(heard::add);
  }

  private JobStore.Outcome apply(JobCommand c) {
    return store.apply(c).join();
  }

  @Test
  void aPutWithoutOverwriteKeepsTheExistingJob() {
    assertThat(apply(new Put(appJob("ns", "a", "j"), false)).applied()).isTrue();
    assertThat(apply(new Put(appJob("ns", "a", "j"), false)).applied()).isFalse();
    JobStore.Outcome replaced = apply(new Put(appJob("ns", "a", "j"), true));
    assertThat(replaced.applied()).isTrue();
    assertThat(store.get(new JobKey(new JobOwner.App("ns", "a"), "j")).orElseThrow().revision()).isEqualTo(replaced.revision());
    assertThat(heard).hasSize(2).allMatch(c -> c instanceof JobChange.Stored);
  }

  @Test
  void aReminderBelongsToTheActorNotToTheAppThatMadeIt() {
    apply(new Put(reminder("ns", "app1", "Cart", "1", "r"), false));
    assertThat(apply(new Put(reminder("ns", "app2", "Cart", "1", "r"), false)).applied()).isFalse();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void anAdvanceForAnOlderRevisionIsIgnoredAndNullTicksEndTheJob() {
    long r1 = apply(new Put(appJob("ns", "a", "j"), true)).revision();
    long r2 = apply(new Put(appJob("ns", "a", "j"), true)).revision();
    JobKey key = new JobKey(new JobOwner.App("ns", "a"), "j");
    assertThat(apply(new Advance(key, r1, Ticks.NONE.succeeded(NOW))).applied()).isFalse();
    assertThat(apply(new Advance(key, r2, Ticks.NONE.succeeded(NOW))).applied()).isTrue();
    assertThat(store.get(key).orElseThrow().ticks().count()).isEqualTo(1);
    assertThat(apply(new Advance(key, r2, null)).removed()).containsExactly(key);
    assertThat(store.get(key)).isEmpty();
    assertThat(heard.get(heard.size() - 1)).isEqualTo(new JobChange.Removed(key));
  }

  @Test
  void selectorsCutByAppActorTypeActorIdIdPrefixAndNamePrefix() {
    apply(new Put(appJob("ns", "a", "x1"), false));
    apply(new Put(appJob("ns", "a", "y1"), false));
    apply(new Put(appJob("ns", "ab", "x1"), false));
    apply(new Put(appJob("other", "a", "x1"), false));
    apply(new Put(reminder("ns", "a", "wf", "abc", "start"), false));
    apply(new Put(reminder("ns", "a", "wf", "abc::0", "run-activity"), false));
    apply(new Put(reminder("ns", "a", "wf", "abd", "start"), false));
    apply(new Put(reminder("ns", "a", "wf2", "abc", "start"), false));

    assertThat(store.list(JobSelector.app("ns", "a"))).hasSize(2);
    assertThat(store.list(JobSelector.actor("ns", "wf", "", false))).hasSize(3);
    assertThat(store.list(JobSelector.actor("ns", "wf", "abc", false))).hasSize(1);
    assertThat(store.list(JobSelector.actor("ns", "wf", "abc", true))).hasSize(2);
    assertThat(store.list(JobSelector.namePrefix(new JobOwner.App("ns", "a"), "x"))).hasSize(1);
    assertThat(store.list(JobSelector.namePrefix(new JobOwner.App("ns", "a"), ""))).hasSize(2);
    assertThat(store.list(JobSelector.namespace("ns"))).hasSize(7);

    assertThat(apply(new DeleteWhere(JobSelector.actor("ns", "wf", "abc", true))).removed()).hasSize(2);
    assertThat(apply(new Delete(new JobKey(new JobOwner.App("ns", "a"), "nope"))).removed()).isEmpty();
    assertThat(apply(new DeleteWhere(JobSelector.namespace("ns"))).removed()).hasSize(5);
    assertThat(store.size()).isEqualTo(1);
  }
}
