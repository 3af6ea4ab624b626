package io.daprx.placement.dissemination;

import io.daprx.proto.placement.v1.Host;
import io.daprx.proto.placement.v1.StatePlacementTable;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;

/** Everything that can happen to a namespace, handled one at a time by its {@link NamespaceLoop}. */
public sealed interface NamespaceEvent {

  /** A new stream's first, already validated, report. */
  record Joined(SidecarStream stream, Host host) implements NamespaceEvent {}

  /** A later, already validated, message: a report or an ack. */
  record Reported(SidecarStream stream, Host host) implements NamespaceEvent {}

  /** The stream ended: the sidecar went away, or placement closed it. */
  record Left(SidecarStream stream, String reason) implements NamespaceEvent {}

  /** The disseminate timeout of one phase of one round ran out. */
  record PhaseDeadline(long version, Phase phase) implements NamespaceEvent {}

  /** The coalesce window opened after a round ended: what changed in it goes out in one round now. */
  record CoalesceWindowClosed() implements NamespaceEvent {}

  /** The disseminate timeout of a one-shot table delivery to one stream ran out. */
  record OneShotDeadline(SidecarStream stream, long sequence) implements NamespaceEvent {}

  /** Asks for the namespace's table as {@code GET /placement/state} shows it. */
  record StateQuery(CompletableFuture<StatePlacementTable> result) implements NamespaceEvent {}

  /** Closes every stream with {@code status} (leadership lost, shutdown) and stops the loop. */
  record Shutdown(Status status, String reason, CompletableFuture<Void> done) implements NamespaceEvent {}
}
