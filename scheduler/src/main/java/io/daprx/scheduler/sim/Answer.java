package io.daprx.scheduler.sim;

/** What a simulated app does with a trigger. */
public enum Answer {
  /** Result SUCCESS: the app handled it. */
  SUCCESS,
  /** Result FAILED: the app answered with an error; the job's failure policy decides what comes next. */
  FAILED,
  /** No result at all: a stuck app (the trigger stays in flight until the stream ends). */
  NONE
}
