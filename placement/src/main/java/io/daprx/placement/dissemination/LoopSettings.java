package io.daprx.placement.dissemination;

import io.daprx.placement.metrics.PlacementMetrics;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What every namespace loop of a placement server shares.
 *
 * @param coalesceWindow after a round, how long membership changes are collected before one round carries them all;
 *     zero = a change starts a round as soon as none is running
 * @param pool threads the loops run on (each loop is serial on it)
 * @param timer fires the disseminate timeouts and closes coalesce windows: the loops' clock
 * @param nanoTime monotonic time for round durations
 */
public record LoopSettings(long replicationFactor, Duration disseminateTimeout, Duration coalesceWindow, Executor pool,
    ScheduledExecutorService timer, PlacementMetrics metrics, LongSupplier nanoTime) {}
