package io.daprx.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The pure parts of the benchmark's arithmetic and parsing. */
class SentryLoadFiguresTest {

  @Test
  void opensslBoundIsOneVerifyPlusOneP256SignPerCertificateOnEveryCore() {
    // 1 / (1/20000 + 1/60000) = 15000 per core
    assertThat(Report.bound(20_000, 60_000, 2)).isCloseTo(30_000, within(1e-6));
    assertThat(Report.bound(0, 60_000, 2)).isNaN();
    assertThat(Report.bound(20_000, Double.NaN, 2)).isNaN();
  }

  @Test
  void errorRateOfNoCallsIsZeroOnlyWithoutErrors() {
    assertThat(Report.errorRate(0, 0)).isZero();
    assertThat(Report.errorRate(1, 1000)).isEqualTo(0.001);
    assertThat(Report.errorRate(1, 0)).isEqualTo(1);
  }

  @Test
  void cryptoProviderIsFoundUnderEitherExposedName() {
    String micrometer = "# TYPE daprx_crypto_provider gauge\ndaprx_crypto_provider{provider=\"ACCP 2.5.0 (AWS-LC)\"} 1.0\n";
    assertThat(MetricsScrape.cryptoProvider(micrometer)).contains("ACCP 2.5.0 (AWS-LC)");
    assertThat(MetricsScrape.cryptoProvider("daprx_crypto_provider_info{provider=\"JDK (SUN)\",x=\"y\"} 1\n")).contains("JDK (SUN)");
    assertThat(MetricsScrape.cryptoProvider("other{provider=\"x\"} 1\n")).isEmpty();
  }

  @Test
  void unlabelledSampleValuesAreRead() {
    String text = "# HELP x\ndapr_sentry_cert_sign_success_total 1234.0\ndapr_sentry_cert_sign_success_created 1.7E9\n";
    assertThat(MetricsScrape.value(text, "dapr_sentry_cert_sign_success_total")).hasValue(1234.0);
    assertThat(MetricsScrape.value(text, "dapr_sentry_cert_sign_failure_total")).isEmpty();
  }

  @Test
  void procStatCpuTimeIsUserPlusSystemTicks() {
    String stat = "4242 (java (with) spaces) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30 0 12345 0 0";
    assertThat(CpuMeter.parseStat(stat, 100)).isEqualTo(3_000_000_000L);
  }

  @Test
  void machineBusyTimeLeavesOutIdleAndIowait() {
    String stat = "cpu  100 10 50 1000 40 5 5 2 0 0\ncpu0 50 5 25 500 20 2 2 1 0 0\n";
    assertThat(CpuMeter.parseMachineStat(stat, 100)).isEqualTo(1_720_000_000L);
  }

  @Test
  void keyTypesParseFromTheirFlags() {
    assertThat(KeyType.parse("p256")).isEqualTo(KeyType.P256);
    assertThat(KeyType.parse("Ed25519")).isEqualTo(KeyType.ED25519);
  }
}
