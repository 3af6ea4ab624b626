package io.daprx.sentry.ca;

import io.daprx.common.trust.CaBundle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Which CA certificates need attention soon: a pure function of the bundle, the time and the warning band. */
public final class ExpiryCheck {

  private ExpiryCheck() {}

  /** One sentence per certificate inside the warning band, each naming the command that fixes it. */
  public static List<String> warnings(CaBundle bundle, Instant now, Duration warnBefore) {
    List<String> out = new ArrayList<>();
    Instant root = bundle.rootNotAfter();
    Instant issuer = bundle.issuerNotAfter();
    if (!root.isAfter(now.plus(warnBefore))) {
      out.add("the root certificate expires at " + root + " (in " + days(now, root)
          + "); run 'daprx mtls renew-certificate --new-root' before then");
    }
    if (!issuer.isAfter(now.plus(warnBefore)) && issuer.isBefore(root)) {
      out.add("the issuer certificate expires at " + issuer + " (in " + days(now, issuer)
          + "); run 'daprx mtls renew-certificate' before then");
    }
    return out;
  }

  private static String days(Instant now, Instant then) {
    Duration d = Duration.between(now, then);
    if (d.isNegative()) {
      return "the past";
    }
    return d.toDays() + " days " + d.toHoursPart() + " hours";
  }
}
