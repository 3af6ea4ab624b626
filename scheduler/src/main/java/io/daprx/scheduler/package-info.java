/**
 * Scheduler: jobs, actor reminders and workflow timers for daprd 1.17/1.18 — the time rules ({@code time}), the job
 * model and its store ({@code job}), delivery on the sidecars' streams ({@code delivery}) and the gRPC service
 * ({@code server}).
 */
package io.daprx.scheduler;
