package io.daprx.common.tls;

/** Where a TLS endpoint gets its current identity; implementations rotate it behind this call. */
@FunctionalInterface
public interface SvidSource {
  Svid current();
}
