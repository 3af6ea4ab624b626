package io.daprx.scheduler.store;

import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobStore.Outcome;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Group commit for one replica's job writes: a command goes out at once when fewer than {@code maxInFlight} entries
 * of this replica are on their way; otherwise it waits, and the commands that waited go out together as one log
 * entry when one comes back. An idle store adds no delay; a busy one pays the log, the replicas and the table once
 * per group instead of once per command (a workflow's cycle is two writes, each replica's trigger loop sends one per
 * result).
 *
 * <p>A group holds commands on distinct keys, so that each reads the table as applying them one by one would, and a
 * {@link JobCommand.DeleteWhere} goes alone; a command on a key already in the group starts the next one, so one
 * caller's commands keep their order. Until every replica announced that it reads groups, each command is its own
 * entry in the first version's format.
 *
 * <p>The queue is owned by one thread ({@code loop}), which also sends, so groups leave in the order they are cut
 * (Ratis' async client keeps a client's order) and no lock is held while calling Ratis: its client completes replies
 * under its own lock, and a reply handled here under ours while a send waited for theirs would deadlock.
 */
final class CommandBatcher {

  private final Function<byte[], CompletableFuture<byte[]>> send;
  private final BooleanSupplier groupsAllowed;
  private final Executor loop;
  private final int maxInFlight;
  private final int maxCommands;
  private final int maxBytes;

  // touched on the loop only
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;
  private boolean sending; // a reply that completes at once must not send from inside the loop that sent it

  private record Pending(JobCommand command, JobKey key, byte[] bytes, CompletableFuture<Outcome> result) {}

  /**
   * @param send sends one log entry and completes with the state machine's reply (or fails)
   * @param groupsAllowed whether every replica reads grouped entries
   * @param loop runs one task at a time, in order: the owner of the queue
   * @param maxBytes a group's commands together stay below this (a larger command goes alone)
   */
  CommandBatcher(Function<byte[], CompletableFuture<byte[]>> send, BooleanSupplier groupsAllowed, Executor loop,
      int maxInFlight, int maxCommands, int maxBytes) {
    this.send = send;
    this.groupsAllowed = groupsAllowed;
    this.loop = loop;
    this.maxInFlight = maxInFlight;
    this.maxCommands = maxCommands;
    this.maxBytes = maxBytes;
  }

  CompletableFuture<Outcome> submit(JobCommand command) {
    Pending p = new Pending(command, keyOf(command), JobCodec.encode(command), new CompletableFuture<>());
    post(() -> {
      waiting.add(p);
      sendWhatMay();
    }, List.of(p));
    return p.result();
  }

  /** The one key a command touches; null for a DeleteWhere (any number). */
  static JobKey keyOf(JobCommand c) {
    if (c instanceof JobCommand.Put p) {
      return p.job().key();
    } else if (c instanceof JobCommand.Delete d) {
      return d.key();
    } else if (c instanceof JobCommand.Advance a) {
      return a.key();
    }
    return null;
  }

  private void post(Runnable task, List<Pending> otherwiseFail) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      RuntimeException closed = Status.UNAVAILABLE.withDescription("the scheduler replica is shutting down").asRuntimeException();
      otherwiseFail.forEach(p -> p.result().completeExceptionally(closed));
    }
  }

  private void sendWhatMay() {
    if (sending) {
      return;
    }
    sending = true;
    try {
      boolean groups = groupsAllowed.getAsBoolean();
      while (inFlight < maxInFlight && !waiting.isEmpty()) {
        List<Pending> group = cut(groups);
        inFlight++;
        CompletableFuture<byte[]> reply;
        try {
          if (group.size() == 1) {
            reply = send.apply(group.get(0).bytes());
          } else {
            List<byte[]> commands = new ArrayList<>(group.size());
            group.forEach(p -> commands.add(p.bytes()));
            reply = send.apply(JobCodec.encodeBatch(commands));
          }
        } catch (RuntimeException e) {
          reply = CompletableFuture.failedFuture(e); // its writers hear it, and the slot is freed
        }
        reply.whenComplete((bytes, e) -> post(() -> done(group, bytes, e), group));
      }
    } finally {
      sending = false;
    }
  }

  /** The longest run at the head of the queue that may share an entry. */
  private List<Pending> cut(boolean groups) {
    List<Pending> group = new ArrayList<>();
    Set<JobKey> keys = new HashSet<>();
    long bytes = 0;
    while (!waiting.isEmpty() && group.size() < (groups ? maxCommands : 1)) {
      Pending next = waiting.peek();
      boolean alone = next.key() == null;
      if (!group.isEmpty() && (alone || keys.contains(next.key()) || bytes + next.bytes().length > maxBytes)) {
        break;
      }
      group.add(waiting.poll());
      bytes += next.bytes().length;
      if (alone) {
        break;
      }
      keys.add(next.key());
    }
    return group;
  }

  private void done(List<Pending> group, byte[] reply, Throwable failure) {
    inFlight--;
    sendWhatMay(); // the log stays busy while these callers hear their outcomes
    if (failure != null) {
      group.forEach(p -> p.result().completeExceptionally(failure));
      return;
    }
    try {
      if (group.size() == 1) {
        group.get(0).result().complete(JobCodec.decodeOutcome(reply));
        return;
      }
      List<Outcome> outcomes = JobCodec.decodeOutcomes(reply);
      for (int i = 0; i < group.size(); i++) {
        // none when the entry was refused (see JobStateMachine): then nothing of it was applied
        group.get(i).result().complete(i < outcomes.size() ? outcomes.get(i) : Outcome.notApplied());
      }
    } catch (RuntimeException e) {
      group.forEach(p -> p.result().completeExceptionally(e));
    }
  }
}
