package io.daprx.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.common.pki.Pem;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When the control plane's certificates expire, and how urgent that is: {@code ok}, {@code warning} inside the
 * warning band (sentry's own {@code --ca-expiry-warning}, 30 days) or {@code expired}. Pure: the time is given.
 */
public final class CaExpiry {

  public static final Duration DEFAULT_WARNING = Duration.ofDays(30);

  private CaExpiry() {}

  public static String state(Instant notAfter, Instant now, Duration warning) {
    if (!notAfter.isAfter(now)) {
      return "expired";
    }
    return notAfter.isBefore(now.plus(warning)) ? "warning" : "ok";
  }

  /** One certificate's expiry view: subject, notAfter, days left, state. */
  public static ObjectNode entry(String what, String subject, Instant notAfter, Instant now, Duration warning) {
    ObjectNode o = DashboardData.JSON.createObjectNode();
    o.put("certificate", what);
    if (subject != null) {
      o.put("subject", subject);
    }
    o.put("notAfter", notAfter.toString());
    o.put("daysLeft", Duration.between(now, notAfter).toDays());
    o.put("state", state(notAfter, now, warning));
    return o;
  }

  /** Every root of a trust bundle's {@code ca.crt}; after a rotation it holds the old root beside the new one. */
  public static ArrayNode roots(String pem, Instant now, Duration warning) {
    ArrayNode out = DashboardData.JSON.createArrayNode();
    List<X509Certificate> certs = Pem.parseCertificates(pem);
    for (X509Certificate c : certs) {
      out.add(entry("root", c.getSubjectX500Principal().getName(), c.getNotAfter().toInstant(), now, warning));
    }
    return out;
  }

  /** The value of a gauge in Prometheus text (e.g. sentry's {@code dapr_sentry_issuercert_expiry_timestamp}), or null. */
  public static Double gauge(String metricsText, String name) {
    for (String line : metricsText.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        String rest = line.indexOf('}') > 0 ? line.substring(line.lastIndexOf('}') + 1) : line.substring(name.length());
        try {
          return Double.parseDouble(rest.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
