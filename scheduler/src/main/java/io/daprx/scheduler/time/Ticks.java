package io.daprx.scheduler.time;

import java.time.Instant;

/**
 * A job's progress, stored with it so a restart (or another replica) carries on where it stopped.
 *
 * @param count ticks done: delivered, or given up after the failure policy
 * @param attempts failed attempts of the current tick
 * @param lastTrigger the scheduled time of the last tick done; null before the first
 */
public record Ticks(long count, long attempts, Instant lastTrigger) {

  public static final Ticks NONE = new Ticks(0, 0, null);

  /** The tick scheduled at {@code tickAt} was delivered. */
  public Ticks succeeded(Instant tickAt) {
    return new Ticks(count + 1, 0, tickAt);
  }

  /** The tick scheduled at {@code tickAt} failed: retried if the policy allows, else given up and counted. */
  public Ticks failed(Instant tickAt, FailurePolicy policy) {
    long tried = attempts + 1;
    return policy.retries(tried) ? new Ticks(count, tried, lastTrigger) : new Ticks(count + 1, 0, tickAt);
  }
}
