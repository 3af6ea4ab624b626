package io.daprx.scheduler.job;

import java.time.Instant;

/**
 * The little the trigger loop keeps in memory of a job it triggers; the rest is read from the store when the job
 * fires. A million stored jobs must fit a small process.
 *
 * @param attemptAt when its next attempt is due; null when it is over
 */
public record DueJob(JobKey key, long revision, int partition, Instant attemptAt) {}
