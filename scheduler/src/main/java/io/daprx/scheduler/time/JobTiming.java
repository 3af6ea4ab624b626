package io.daprx.scheduler.time;

import java.time.Instant;
import java.util.Optional;

/**
 * When a job fires, fixed once when it is scheduled: relative due times and TTLs are resolved against the clock
 * then, so every replica computes the same ticks from the same stored job.
 *
 * @param schedule null for a one-shot job (it fires once, at {@code begin})
 * @param begin the due time, or when the job was scheduled if it has none
 * @param firesAtBegin a due time was given: the first tick is at {@code begin}; otherwise the schedule's first
 *     activation after it
 * @param expiration from the TTL; null = none. A tick after it ends the job
 * @param repeats the number of ticks after which the job ends; null = unbounded
 */
public record JobTiming(Schedule schedule, Instant begin, boolean firesAtBegin, Instant expiration, Long repeats) {

  /**
   * Applies upstream's rules: a schedule or a due time; repeats, if given, at least 1, and more than 1 only with a
   * schedule; a TTL only with a schedule, counted from the due time when there is one, and not before it.
   *
   * @param repeats null when unset (proto3 optional)
   * @throws IllegalArgumentException naming the broken rule
   */
  public static JobTiming resolve(String schedule, Long repeats, String dueTime, String ttl, Instant now) {
    if (schedule == null && dueTime == null) {
      throw new IllegalArgumentException("job must have either a due time or a schedule");
    }
    if (repeats != null && repeats < 1) {
      throw new IllegalArgumentException("repeats, when given, must be at least 1");
    }
    if (schedule == null && repeats != null && repeats > 1) {
      throw new IllegalArgumentException("job must have a schedule to repeat");
    }
    if (schedule == null && ttl != null) {
      throw new IllegalArgumentException("job must have a schedule to have a ttl");
    }
    Schedule parsed = schedule == null ? null : Schedule.parse(schedule);
    Instant begin = now;
    if (dueTime != null) {
      try {
        begin = PointInTime.parse(dueTime, now);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("due time: " + e.getMessage());
      }
    }
    Instant expiration = null;
    if (ttl != null) {
      try {
        expiration = PointInTime.parse(ttl, begin);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ttl: " + e.getMessage());
      }
      if (dueTime != null && begin.isAfter(expiration)) {
        throw new IllegalArgumentException("ttl must end after the due time (" + begin + " > " + expiration + ")");
      }
    }
    return new JobTiming(parsed, begin, dueTime != null, expiration, repeats);
  }

  /** The scheduled time of the tick after {@code ticks}; empty when the job is over. Retries do not move it. */
  public Optional<Instant> tick(Ticks ticks) {
    if (repeats != null && ticks.count() >= repeats) {
      return Optional.empty();
    }
    if (schedule == null) {
      return ticks.count() >= 1 ? Optional.empty() : Optional.of(begin);
    }
    Optional<Instant> next;
    if (ticks.lastTrigger() == null) {
      next = firesAtBegin ? Optional.of(begin) : schedule.next(begin);
    } else {
      next = schedule.next(ticks.lastTrigger());
    }
    return next.filter(t -> expiration == null || !t.isAfter(expiration));
  }

  /** When the next attempt is due: the tick's time, pushed back by the failure policy's retries. */
  public Optional<Instant> attemptAt(Ticks ticks, FailurePolicy policy) {
    return tick(ticks).map(t -> policy.retryAt(t, ticks.attempts()));
  }
}
