package io.daprx.manager.local;

import java.util.List;

/**
 * What a launch adds to a pod's command line that is not part of its spec: a cache the process may use, such as a
 * class-data archive. It is asked at every launch (restarts included) and is kept out of {@link ProcessSpec#specHash()},
 * so a cache appearing or going never makes a running pod count as changed.
 */
@FunctionalInterface
public interface LaunchDecorator {

  /** The command as the spec gives it. */
  LaunchDecorator NONE = ProcessSpec::command;

  /** The argv to launch for this spec: its command, with whatever this launch adds. */
  List<String> command(ProcessSpec spec);
}
