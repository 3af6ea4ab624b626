package io.daprx.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.proto.scheduler.v1.JobTargetMetadata;
import io.daprx.proto.scheduler.v1.TargetActorReminder;
import io.daprx.scheduler.job.DueJob;
import io.daprx.scheduler.job.InMemoryJobStore;
import io.daprx.scheduler.job.JobChange;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobStore;
import io.daprx.scheduler.job.JobRequests;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.job.Transition;
import io.daprx.scheduler.time.Ticks;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk table under the replicated store: deterministic apply, checkpoints, the codec. */
class JobTableTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  @TempDir
  Path dir;

  /** A long, seeded mix of every command on a few keys, so puts, replacements, advances and deletes collide. */
  static List<JobCommand> commands(long seed, int n) {
    Random r = new Random(seed);
    String[] schedules = {"@every 5s", "0 */2 * * * *", null};
    List<JobCommand> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = "j" + r.nextInt(20);
      String type = "T" + r.nextInt(2);
      JobMetadata m = JobMetadata.newBuilder().setNamespace("ns").setAppId("app")
          .setTarget(JobTargetMetadata.newBuilder().setActor(TargetActorReminder.newBuilder().setType(type).setId("a" + r.nextInt(3))))
          .build();
      String schedule = schedules[r.nextInt(3)];
      Job.Builder spec = Job.newBuilder().setDueTime("10s");
      if (schedule != null) {
        spec.setSchedule(schedule).setRepeats(5);
      }
      StoredJob job = JobRequests.toStored(name, m, spec.build(), NOW, 1 << 20);
      job = new StoredJob(job.key(), 0, r.nextInt(1000), job.metadata(), job.spec(), job.timing(), job.policy(), job.ticks());
      switch (r.nextInt(6)) {
        case 0, 1 -> out.add(new JobCommand.Put(job, r.nextBoolean()));
        case 2 -> out.add(new JobCommand.Delete(job.key()));
        case 3 -> out.add(new JobCommand.DeleteWhere(JobSelector.actor("ns", type, "a", true)));
        default -> out.add(new JobCommand.Advance(job.key(), 1 + r.nextInt(i + 1), new Ticks(r.nextInt(3), r.nextInt(2),
            NOW.plusSeconds(r.nextInt(100)))));
      }
    }
    return out;
  }

  private static void applyAll(JobTable table, List<JobCommand> commands, List<JobChange> heard) {
    long index = 0;
    for (JobCommand c : commands) {
      index++;
      try (JobTable.Batch b = table.batch()) {
        // through the log's bytes, as the state machine sees them
        JobCodec.Entry e = JobCodec.decodeEntry(JobCodec.encode(c));
        Transition.apply(b, ((JobCodec.JobEntry) e).command(), index, heard);
        b.commit(1, index);
      }
    }
  }

  @Test
  void theSameCommandsGiveTheSameTableOnEveryReplicaAndTheSameJobsAsInMemory() {
    List<JobCommand> commands = commands(42, 2000);
    List<JobChange> heardA = new ArrayList<>();
    List<JobChange> heardB = new ArrayList<>();
    try (JobTable a = JobTable.open(dir.resolve("a")); JobTable b = JobTable.open(dir.resolve("b"))) {
      applyAll(a, commands, heardA);
      applyAll(b, commands, heardB);
      assertThat(a.list("")).isNotEmpty();
      assertThat(a.list("").stream().map(JobCodec::encodeJob).toList()).usingRecursiveComparison()
          .isEqualTo(b.list("").stream().map(JobCodec::encodeJob).toList());
      assertThat(heardA).hasSameSizeAs(heardB);
      assertThat(a.applied()).containsExactly(1, commands.size());

      InMemoryJobStore memory = new InMemoryJobStore();
      commands.forEach(c -> memory.apply(c).join());
      // revisions differ (a counter there, the log index here): compare everything else
      // (a parsed cron has no equals: compare the jobs' bytes)
      assertThat(a.list("").stream().map(j -> List.of(JobCodec.encodeJob(j.withRevision(0)))).toList())
          .usingRecursiveComparison()
          .isEqualTo(memory.list(JobSelector.all()).stream().map(j -> List.of(JobCodec.encodeJob(j.withRevision(0)))).toList());

      List<DueJob> due = new ArrayList<>();
      a.scanDue(p -> true, due::add);
      assertThat(due).hasSameSizeAs(a.list(""));
      assertThat(due).allSatisfy(d -> assertThat(a.get(d.key()).due()).isEqualTo(d));
    }
  }

  @Test
  void aGroupOfCommandsInOneEntryGivesTheTableAndOutcomesOfApplyingThemOneByOne() {
    List<JobCommand> commands = commands(11, 3000);
    // cut into entries as a busy replica does: nothing comes back until everything is queued
    List<byte[]> entries = new ArrayList<>();
    List<CompletableFuture<byte[]>> replies = new ArrayList<>();
    CommandBatcher batcher = new CommandBatcher(bytes -> {
      entries.add(bytes);
      CompletableFuture<byte[]> reply = new CompletableFuture<>();
      replies.add(reply);
      return reply;
    }, () -> true, Runnable::run, 1, 64, 1 << 20);
    List<CompletableFuture<JobStore.Outcome>> results = commands.stream().map(batcher::submit).toList();

    List<JobChange> heardGrouped = new ArrayList<>();
    List<JobChange> heardOneByOne = new ArrayList<>();
    List<JobStore.Outcome> oneByOne = new ArrayList<>();
    int grouped = 0;
    try (JobTable a = JobTable.open(dir.resolve("a")); JobTable b = JobTable.open(dir.resolve("b"))) {
      for (int i = 0; i < entries.size(); i++) {
        long index = i + 1;
        JobCodec.Entry e = JobCodec.decodeEntry(entries.get(i));
        List<JobCommand> group = e instanceof JobCodec.Batch g ? g.commands() : List.of(((JobCodec.JobEntry) e).command());
        byte[] reply;
        try (JobTable.Batch w = a.batch()) {
          reply = e instanceof JobCodec.Batch g ? JobCodec.encodeOutcomes(JobStateMachine.applyBatch(w, g, index, heardGrouped))
              : JobCodec.encode(Transition.apply(w, group.get(0), index, heardGrouped));
          w.commit(1, index);
        }
        for (JobCommand c : group) {
          try (JobTable.Batch w = b.batch()) {
            oneByOne.add(Transition.apply(w, c, index, heardOneByOne));
            w.commit(1, index);
          }
        }
        grouped += group.size() > 1 ? group.size() : 0;
        replies.get(i).complete(reply); // the next entry is cut when this one comes back
      }
      assertThat(grouped).as("commands that shared an entry").isGreaterThan(commands.size() / 2);
      assertThat(entries.size()).isLessThan(commands.size() / 2); // 20 names and many DeleteWheres: small groups
      assertThat(results.stream().map(CompletableFuture::join).toList()).isEqualTo(oneByOne);
      assertThat(heardGrouped).usingRecursiveComparison().isEqualTo(heardOneByOne);
      assertThat(a.list("").stream().map(JobCodec::encodeJob).toList()).usingRecursiveComparison()
          .isEqualTo(b.list("").stream().map(JobCodec::encodeJob).toList());
    }
  }

  @Test
  void aCheckpointOpensAsTheSameTable() throws Exception {
    try (JobTable a = JobTable.open(dir.resolve("a"))) {
      applyAll(a, commands(7, 500), new ArrayList<>());
      try (JobTable.Batch b = a.batch()) {
        b.members(List.of("r0", "r2"));
        b.address("r0", "10.0.0.1:50006", JobCodec.FORMAT_BATCH);
        b.commit(2, 501);
      }
      a.checkpoint(dir.resolve("snap"));
      try (JobTable copy = JobTable.open(dir.resolve("snap"))) {
        assertThat(copy.list("").stream().map(JobCodec::encodeJob).toList()).usingRecursiveComparison()
            .isEqualTo(a.list("").stream().map(JobCodec::encodeJob).toList());
        assertThat(copy.applied()).containsExactly(2, 501);
        assertThat(copy.members()).containsExactly("r0", "r2");
        assertThat(copy.addresses()).containsEntry("r0", "10.0.0.1:50006");
        assertThat(copy.reads()).containsEntry("r0", JobCodec.FORMAT_BATCH);
      }
    }
  }

  @Test
  void everyCommandAndOutcomeSurvivesItsBytes() {
    for (JobCommand c : commands(3, 300)) {
      JobCodec.Entry e = JobCodec.decodeEntry(JobCodec.encode(c));
      assertThat(JobCodec.encode(((JobCodec.JobEntry) e).command())).isEqualTo(JobCodec.encode(c));
      if (c instanceof JobCommand.Put p) {
        StoredJob back = ((JobCommand.Put) ((JobCodec.JobEntry) e).command()).job();
        assertThat(back.timing().schedule() == null ? null : back.timing().schedule().text())
            .isEqualTo(p.job().timing().schedule() == null ? null : p.job().timing().schedule().text());
        assertThat(back.due()).isEqualTo(p.job().due());
      }
    }
    assertThat(JobCodec.decodeEntry(JobCodec.encode(new JobCodec.Members(List.of("a", "b")))))
        .isEqualTo(new JobCodec.Members(List.of("a", "b")));
    assertThat(JobCodec.decodeEntry(JobCodec.encode(new JobCodec.Announce("a", "h:1", JobCodec.FORMAT_BATCH))))
        .isEqualTo(new JobCodec.Announce("a", "h:1", JobCodec.FORMAT_BATCH));
    // the first version's announcement (id and address only) reads as a replica that does not read batches
    byte[] first = Arrays.copyOf(JobCodec.encode(new JobCodec.Announce("a", "h:1", 0)), 1 + 2 + 4);
    assertThat(JobCodec.decodeEntry(first)).isEqualTo(new JobCodec.Announce("a", "h:1", 1));

    List<JobCommand> group = commands(3, 300).subList(0, 3);
    JobCodec.Entry batch = JobCodec.decodeEntry(JobCodec.encodeBatch(group.stream().map(JobCodec::encode).toList()));
    assertThat(((JobCodec.Batch) batch).commands()).extracting(JobCodec::encode)
        .containsExactlyElementsOf(group.stream().map(JobCodec::encode).toList());
    assertThat(JobCodec.isBatch(JobCodec.encodeBatch(List.of(JobCodec.encode(group.get(0)))))).isTrue();
    assertThat(JobCodec.isBatch(JobCodec.encode(group.get(0)))).isFalse();
    List<JobStore.Outcome> outcomes = List.of(new JobStore.Outcome(true, 7, List.of()), JobStore.Outcome.notApplied());
    assertThat(JobCodec.decodeOutcomes(JobCodec.encodeOutcomes(outcomes))).isEqualTo(outcomes);
  }
}
