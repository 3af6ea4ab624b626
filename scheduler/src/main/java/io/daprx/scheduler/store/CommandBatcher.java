package io.daprx.scheduler.store;

import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobStore.Outcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * caller's commands keep their order. Groups are sent in the order they are cut, under this object's lock (Ratis'
 * async client keeps a client's order). Until every replica announced that it reads groups, each command is its own
 * entry in the first version's format.
 */
final class CommandBatcher {

  private final Function<byte[], CompletableFuture<byte[]>> send;
  private final BooleanSupplier groupsAllowed;
  private final int maxInFlight;
  private final int maxCommands;
  private final int maxBytes;

  // guarded by this
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private int inFlight;
  private boolean sending; // a reply that completes at once must not send from inside the loop that sent it

  private record Pending(JobCommand command, JobKey key, byte[] bytes, CompletableFuture<Outcome> result) {}

  /**
   * @param send sends one log entry and completes with the state machine's reply (or fails)
   * @param groupsAllowed whether every replica reads grouped entries
   * @param maxBytes a group's commands together stay below this (a larger command goes alone)
   */
  CommandBatcher(Function<byte[], CompletableFuture<byte[]>> send, BooleanSupplier groupsAllowed, int maxInFlight,
      int maxCommands, int maxBytes) {
    this.send = send;
    this.groupsAllowed = groupsAllowed;
    this.maxInFlight = maxInFlight;
    this.maxCommands = maxCommands;
    this.maxBytes = maxBytes;
  }

  CompletableFuture<Outcome> submit(JobCommand command) {
    Pending p = new Pending(command, keyOf(command), JobCodec.encode(command), new CompletableFuture<>());
    synchronized (this) {
      waiting.add(p);
      sendWhatMay();
    }
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

  private void sendWhatMay() {
    assert Thread.holdsLock(this);
    if (sending) {
      return;
    }
    sending = true;
    try {
      sendLoop();
    } finally {
      sending = false;
    }
  }

  private void sendLoop() {
    boolean groups = groupsAllowed.getAsBoolean();
    while (inFlight < maxInFlight && !waiting.isEmpty()) {
      List<Pending> group = cut(groups);
      inFlight++;
      CompletableFuture<byte[]> reply;
      if (group.size() == 1) {
        reply = send.apply(group.get(0).bytes());
      } else {
        List<byte[]> commands = new ArrayList<>(group.size());
        group.forEach(p -> commands.add(p.bytes()));
        reply = send.apply(JobCodec.encodeBatch(commands));
      }
      reply.whenComplete((bytes, e) -> done(group, bytes, e));
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
    synchronized (this) {
      inFlight--;
      sendWhatMay();
    }
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
