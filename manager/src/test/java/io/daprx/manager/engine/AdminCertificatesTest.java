package io.daprx.manager.engine;

import io.daprx.common.testing.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.common.pki.Certs;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.tls.Svid;
import io.daprx.common.trust.CaBundle;
import io.daprx.common.trust.CaBundles;
import io.daprx.common.trust.FileBundleStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager's own client certificate: an SVID of the admin identity under the cluster's issuer, renewed at half-life. */
class AdminCertificatesTest {

  static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
  static final SpiffeId ADMIN = SpiffeId.of("cluster.local", "dapr-system", SchedulerJobs.ADMIN_APP_ID);

  @TempDir
  Path dir;

  @Test
  void aMintedCertificateChainsToTheClusterRootAndNamesTheAdminOnly() throws Exception {
    TestClock clock = new TestClock(T0);
    CaBundle bundle = CaBundles.generate("cluster.local", "dapr-system", Duration.ofDays(365), clock);
    new FileBundleStore(dir).save(bundle.toRaw());
    Svid svid = new AdminCertificates(dir, ADMIN, clock).current();
    assertThat(svid.id()).isEqualTo(ADMIN);
    Certs.verifyChain(svid.chain(), bundle.trustAnchors(), T0);
    assertThat(svid.notAfter()).isEqualTo(T0.plus(AdminCertificates.TTL));
    assertThat(svid.leaf().getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2"); // clientAuth
  }

  @Test
  void itIsKeptUntilHalfItsLifeThenMintedAgain() {
    TestClock clock = new TestClock(T0);
    new FileBundleStore(dir).save(CaBundles.generate("cluster.local", "dapr-system", Duration.ofDays(365), clock).toRaw());
    AdminCertificates certs = new AdminCertificates(dir, ADMIN, clock);
    Svid first = certs.current();
    clock.advance(AdminCertificates.TTL.dividedBy(2).minusSeconds(1));
    assertThat(certs.current()).isSameAs(first);
    clock.advance(Duration.ofSeconds(1));
    assertThat(certs.current()).isNotSameAs(first);
  }

  @Test
  void aClusterWithoutATrustBundleSaysWhichFilesAreMissing() {
    assertThatThrownBy(() -> new AdminCertificates(dir, ADMIN, new TestClock(T0)).current())
        .hasMessageContaining("ca.crt").hasMessageContaining(dir.toString());
  }
}
