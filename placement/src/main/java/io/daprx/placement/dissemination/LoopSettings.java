package io.daprx.placement.dissemination;

import io.daprx.placement.metrics.PlacementMetrics;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What every namespace loop of a placement server shares.
 *
 * @param pool threads the loops run on (each loop is serial on it)
 * @param timer fires the disseminate timeouts
 * @param nanoTime monotonic time for round durations
 */
public record LoopSettings(long replicationFactor, Duration disseminateTimeout, Executor pool,
    ScheduledExecutorService timer, PlacementMetrics metrics, LongSupplier nanoTime) {}
