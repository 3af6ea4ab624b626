package io.daprx.injector;

/**
 * The sidecar injector's own command-line flags (upstream's names).
 * Declared once: {@code daprx injector} parses them by these names and the manager renders injector's pods with them.
 */
public final class InjectorFlags {

  public static final String SIDECAR_IMAGE = "--sidecar-image";
  /**
   * Upstream's: whether the cluster runs a scheduler, so sidecars get {@code --scheduler-host-address} (a sidecar pointed
   * at a scheduler that does not answer never becomes ready). Written {@code --scheduler-enabled=false} to turn it off.
   */
  public static final String SCHEDULER_ENABLED = "--scheduler-enabled";
  /** Ours, beside {@code --sidecar-placement-address}: the scheduler as sidecars dial it, where it is not the Service's DNS name. */
  public static final String SIDECAR_SCHEDULER_ADDRESS = "--sidecar-scheduler-address";
  public static final String SIDECAR_PLACEMENT_ADDRESS = "--sidecar-placement-address";

  private InjectorFlags() {}
}
