package io.daprx.scheduler.sim;

import io.daprx.proto.scheduler.v1.WatchJobsResponse;

/**
 * A trigger a simulated app received.
 *
 * @param host the scheduler replica whose stream carried it
 * @param receivedNanos when it arrived, on the simulator's nano clock
 * @param receivedEpochMillis when it arrived, on the wall clock (to compare with a job's due time)
 */
public record Delivery(AppSpec app, String host, WatchJobsResponse trigger, long receivedNanos, long receivedEpochMillis,
    Answer answer) {}
