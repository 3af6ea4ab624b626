package io.daprx.scheduler.job;

import io.daprx.scheduler.job.JobCommand.Advance;
import io.daprx.scheduler.job.JobCommand.Delete;
import io.daprx.scheduler.job.JobCommand.DeleteWhere;
import io.daprx.scheduler.job.JobCommand.Put;
import io.daprx.scheduler.job.JobStore.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * The one write path of every job store: what a {@link JobCommand} does to the jobs. Deterministic — the same
 * commands with the same revisions give the same jobs — so each replica of the replicated store, applying the log in
 * order, ends with the same table.
 */
public final class Transition {

  private Transition() {}

  /**
   * @param revision the revision a put gives its job (the log index in the replicated store: only grows)
   * @param changes collects what listeners hear, in order
   */
  public static Outcome apply(JobMap jobs, JobCommand command, long revision, List<JobChange> changes) {
    if (command instanceof Put p) {
      if (!p.overwrite() && jobs.get(p.job().key()) != null) {
        return Outcome.notApplied();
      }
      StoredJob stored = p.job().withRevision(revision);
      jobs.put(stored);
      changes.add(new JobChange.Stored(stored));
      return new Outcome(true, revision, List.of());
    } else if (command instanceof Delete d) {
      StoredJob gone = jobs.get(d.key());
      if (gone == null) {
        return new Outcome(true, 0, List.of());
      }
      jobs.remove(d.key());
      changes.add(new JobChange.Removed(d.key()));
      return new Outcome(true, 0, List.of(d.key()));
    } else if (command instanceof DeleteWhere w) {
      String prefix = w.selector().keyPrefix().startsWith("\u0001") ? "" : w.selector().keyPrefix();
      List<JobKey> removed = new ArrayList<>();
      for (JobKey k : jobs.keys(prefix)) {
        if (w.selector().matches(k)) {
          jobs.remove(k);
          removed.add(k);
          changes.add(new JobChange.Removed(k));
        }
      }
      return new Outcome(true, 0, List.copyOf(removed));
    } else if (command instanceof Advance a) {
      StoredJob current = jobs.get(a.key());
      if (current == null || current.revision() != a.revision()) {
        return Outcome.notApplied();
      }
      if (a.ticks() == null) {
        jobs.remove(a.key());
        changes.add(new JobChange.Removed(a.key()));
        return new Outcome(true, 0, List.of(a.key()));
      }
      // no change event: the replica that triggers the job computed these ticks itself; the others read them from
      // the store when the job becomes theirs
      jobs.put(current.withTicks(a.ticks()));
      return new Outcome(true, current.revision(), List.of());
    }
    throw new IllegalArgumentException("unknown command " + command);
  }
}
