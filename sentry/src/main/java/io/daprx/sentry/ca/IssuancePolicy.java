package io.daprx.sentry.ca;

import io.daprx.common.runtime.GoDuration;
import java.time.Duration;
import java.util.Objects;

/**
 * What a workload certificate gets besides its identity: how long it lives and how far its NotBefore is
 * back-dated for clocks that run behind. One value, read once per signature, so a certificate never mixes
 * the TTL of one setting with the skew of another.
 */
public record IssuancePolicy(Duration workloadCertTtl, Duration allowedClockSkew) {

  public IssuancePolicy {
    Objects.requireNonNull(workloadCertTtl, "workloadCertTtl");
    Objects.requireNonNull(allowedClockSkew, "allowedClockSkew");
    if (workloadCertTtl.isNegative() || workloadCertTtl.isZero()) {
      throw new IllegalArgumentException("the workload certificate TTL must be positive, e.g. 24h; got " + GoDuration.format(workloadCertTtl));
    }
    if (allowedClockSkew.isNegative()) {
      throw new IllegalArgumentException("the allowed clock skew must not be negative, e.g. 15m; got " + GoDuration.format(allowedClockSkew));
    }
  }

  /** In Dapr's words and units, for logs: {@code workloadCertTTL 24h0m0s, allowedClockSkew 15m0s}. */
  @Override
  public String toString() {
    return "workloadCertTTL " + GoDuration.format(workloadCertTtl) + ", allowedClockSkew " + GoDuration.format(allowedClockSkew);
  }
}
