package io.daprx.injector;

/**
 * The sidecar injector's own command-line flags (upstream's names).
 * Declared once: {@code daprx injector} parses them by these names and the manager renders injector's pods with them.
 */
public final class InjectorFlags {

  public static final String SIDECAR_IMAGE = "--sidecar-image";

  private InjectorFlags() {}
}
