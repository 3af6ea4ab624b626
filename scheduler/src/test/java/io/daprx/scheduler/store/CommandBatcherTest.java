package io.daprx.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.JobStore.Outcome;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.time.Ticks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** How a replica's writes become log entries: at once when idle, grouped when busy, never reordered. */
class CommandBatcherTest {

  private final List<JobCodec.Entry> sent = new ArrayList<>();
  private final List<CompletableFuture<byte[]>> replies = new ArrayList<>();
  private final AtomicBoolean groups = new AtomicBoolean(true);
  private final CommandBatcher batcher = new CommandBatcher(bytes -> {
    sent.add(JobCodec.decodeEntry(bytes));
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    replies.add(reply);
    return reply;
  }, groups::get, Runnable::run, 2, 3, 1 << 20);

  private static JobCommand put(String name) {
    return new JobCommand.Put(ReplicatedJobStoreTest.job(name), true);
  }

  private static JobCommand advance(String name, long count) {
    StoredJob j = ReplicatedJobStoreTest.job(name);
    return new JobCommand.Advance(j.key(), 1, new Ticks(count, 0, Instant.EPOCH));
  }

  /** What each command does to which job (a job's partition is random). */
  private static List<String> encoded(List<JobCommand> commands) {
    return commands.stream().map(c -> c.getClass().getSimpleName() + " " + CommandBatcher.keyOf(c).name()).toList();
  }

  private List<JobCommand> commandsOf(int entry) {
    JobCodec.Entry e = sent.get(entry);
    return e instanceof JobCodec.Batch b ? b.commands() : List.of(((JobCodec.JobEntry) e).command());
  }

  private void answer(int entry, Outcome... outcomes) {
    replies.get(entry).complete(outcomes.length == 1 && !(sent.get(entry) instanceof JobCodec.Batch)
        ? JobCodec.encode(outcomes[0]) : JobCodec.encodeOutcomes(List.of(outcomes)));
  }

  @Test
  void anIdleStoreSendsEachWriteAtOnceInTheFirstVersionsFormat() {
    CompletableFuture<Outcome> a = batcher.submit(put("a"));
    assertThat(sent).hasSize(1).first().isInstanceOf(JobCodec.JobEntry.class);
    answer(0, new Outcome(true, 5, List.of()));
    assertThat(a.join().revision()).isEqualTo(5);
  }

  @Test
  void writesThatWaitGoTogetherInOrderOnDistinctKeysAndEachGetsItsOwnOutcome() {
    List<CompletableFuture<Outcome>> r = new ArrayList<>();
    for (JobCommand c : List.of(put("a"), put("b"), put("c"), put("d"), advance("c", 1), put("e"), put("f"), put("g"))) {
      r.add(batcher.submit(c));
    }
    assertThat(sent).as("two entries on their way, the rest waits").hasSize(2);
    answer(0, new Outcome(true, 1, List.of()));
    // the head of the queue, cut where a key repeats: the advance of c waits for the next entry
    assertThat(sent).hasSize(3);
    assertThat(encoded(commandsOf(2))).containsExactlyElementsOf(encoded(List.of(put("c"), put("d"))));
    answer(1, new Outcome(true, 2, List.of()));
    assertThat(encoded(commandsOf(3))).as("at most three, distinct keys")
        .containsExactlyElementsOf(encoded(List.of(advance("c", 1), put("e"), put("f"))));
    answer(2, new Outcome(true, 3, List.of()), new Outcome(false, 0, List.of()));
    answer(3, new Outcome(true, 4, List.of()), new Outcome(true, 4, List.of()), new Outcome(true, 4, List.of()));
    assertThat(encoded(commandsOf(4))).containsExactlyElementsOf(encoded(List.of(put("g"))));
    answer(4, new Outcome(true, 5, List.of()));
    assertThat(r).allSatisfy(f -> assertThat(f).isDone());
    assertThat(r.stream().map(f -> f.join().revision()).toList()).containsExactly(1L, 2L, 3L, 0L, 4L, 4L, 4L, 5L);
  }

  @Test
  void aDeleteOfManyGoesAlone() {
    batcher.submit(put("a"));
    batcher.submit(put("b"));
    batcher.submit(put("c"));
    batcher.submit(new JobCommand.DeleteWhere(JobSelector.app("ns", "app")));
    batcher.submit(put("d"));
    answer(0, new Outcome(true, 1, List.of()));
    assertThat(commandsOf(2)).hasSize(1).first().isInstanceOf(JobCommand.Put.class);
    answer(1, new Outcome(true, 1, List.of()));
    assertThat(commandsOf(3)).hasSize(1).first().isInstanceOf(JobCommand.DeleteWhere.class);
  }

  @Test
  void untilEveryReplicaReadsGroupsEachWriteIsItsOwnEntry() {
    groups.set(false);
    for (String n : List.of("a", "b", "c", "d", "e")) {
      batcher.submit(put(n));
    }
    for (int i = 0; i < 5; i++) {
      answer(i, new Outcome(true, i, List.of()));
    }
    assertThat(sent).hasSize(5).allSatisfy(e -> assertThat(e).isInstanceOf(JobCodec.JobEntry.class));
  }

  @Test
  void aFailedEntryFailsEachOfItsWritesAndTheNextStillGoesOut() {
    batcher.submit(put("a"));
    batcher.submit(put("b"));
    List<CompletableFuture<Outcome>> waited = List.of(batcher.submit(put("c")), batcher.submit(put("d")));
    replies.get(0).completeExceptionally(new IllegalStateException("no quorum"));
    replies.get(2).completeExceptionally(new IllegalStateException("no quorum"));
    assertThat(waited).allSatisfy(f -> assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
        .hasMessageContaining("no quorum"));
    CompletableFuture<Outcome> e = batcher.submit(put("e"));
    assertThat(sent).hasSize(4);
    answer(3, new Outcome(true, 9, List.of()));
    assertThat(e.join().revision()).isEqualTo(9);
  }

  @Test
  void aSendThatThrowsFailsItsWritesAndFreesItsSlot() {
    List<Outcome> heard = new ArrayList<>();
    AtomicBoolean broken = new AtomicBoolean(true);
    CommandBatcher b = new CommandBatcher(bytes -> {
      if (broken.get()) {
        throw new IllegalStateException("client closed");
      }
      return CompletableFuture.completedFuture(JobCodec.encode(new Outcome(true, 1, List.of())));
    }, () -> true, Runnable::run, 1, 3, 1 << 20);
    assertThatThrownBy(b.submit(put("a"))::join).hasMessageContaining("client closed");
    broken.set(false);
    b.submit(put("b")).thenAccept(heard::add);
    assertThat(heard).hasSize(1);
  }

  @Test
  void aRefusedGroupReportsItsWritesAsNotApplied() {
    batcher.submit(put("a"));
    batcher.submit(put("b"));
    CompletableFuture<Outcome> c = batcher.submit(put("c"));
    CompletableFuture<Outcome> d = batcher.submit(put("d"));
    answer(0, new Outcome(true, 1, List.of()));
    replies.get(2).complete(JobCodec.encodeOutcomes(List.of()));
    assertThat(c.join().applied()).isFalse();
    assertThat(d.join().applied()).isFalse();
  }
}
