package io.daprx.sentry.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CertTimeTest {

  /** The validity times in a leaf are byte for byte what BouncyCastle's own Date conversion makes, both time types. */
  @ParameterizedTest
  @ValueSource(strings = {"2026-12-07T14:25:00.987Z", "1970-01-01T00:00:00Z", "2049-12-31T23:59:59.999Z", "2050-01-01T00:00:00Z",
      "2099-06-30T12:00:01Z", "2000-02-29T23:59:59Z"})
  void encodesAsBouncyCastleDoes(String when) throws Exception {
    Instant t = Instant.parse(when);
    Time ours = CertTime.of(t);
    Time theirs = new Time(Date.from(t));
    assertThat(ours.getEncoded()).isEqualTo(theirs.getEncoded());
    assertThat(ours.getDate()).isEqualTo(Date.from(Instant.ofEpochSecond(t.getEpochSecond())));
  }
}
