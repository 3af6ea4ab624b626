package io.daprx.sentry.config;

import io.daprx.common.runtime.GoDuration;
import io.daprx.sentry.ca.IssuancePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sentry's part of a Dapr Configuration, {@code spec.mtls.workloadCertTTL} and {@code spec.mtls.allowedClockSkew},
 * read as upstream's {@code pkg/sentry/config} reads them: a field that is absent or empty leaves the flag's value.
 * A field that is not a usable duration is reported and the value in force kept: upstream refuses to start on it,
 * which for a running CA would turn a typo in {@code kubectl edit} into an outage.
 */
final class MtlsSettings {

  static final String TTL_FIELD = "workloadCertTTL";
  static final String SKEW_FIELD = "allowedClockSkew";

  /** The policy to issue with, and one sentence per field that could not be used. */
  record Resolved(IssuancePolicy policy, List<String> warnings) {}

  private MtlsSettings() {}

  /**
   * @param spec the Configuration's {@code spec}; null when there is no such Configuration
   * @param flags the values of the flags (or their defaults), which a missing field leaves in force
   * @param current the values in force now, which an unusable field keeps
   */
  static Resolved resolve(Map<String, Object> spec, IssuancePolicy flags, IssuancePolicy current) {
    Map<?, ?> mtls = spec != null && spec.get("mtls") instanceof Map<?, ?> m ? m : Map.of();
    List<String> warnings = new ArrayList<>();
    Duration ttl = field(mtls, TTL_FIELD, flags.workloadCertTtl(), current.workloadCertTtl(), false, warnings);
    Duration skew = field(mtls, SKEW_FIELD, flags.allowedClockSkew(), current.allowedClockSkew(), true, warnings);
    return new Resolved(new IssuancePolicy(ttl, skew), List.copyOf(warnings));
  }

  private static Duration field(Map<?, ?> mtls, String name, Duration flag, Duration current, boolean zeroAllowed,
      List<String> warnings) {
    Object value = mtls.get(name);
    if (value == null || value instanceof String s && s.isBlank()) {
      return flag;
    }
    String problem;
    if (value instanceof String text) {
      try {
        Duration d = GoDuration.parse(text);
        if (!d.isNegative() && (zeroAllowed || !d.isZero())) {
          return d;
        }
        problem = "'" + text + "' is not " + (zeroAllowed ? "zero or positive" : "positive");
      } catch (IllegalArgumentException e) {
        problem = "'" + text + "' is not a duration";
      }
    } else {
      problem = value + " is not a duration";
    }
    warnings.add("spec.mtls." + name + ": " + problem + " (use a value such as 24h, 15m or 1h30m); keeping "
        + GoDuration.format(current));
    return current;
  }
}
