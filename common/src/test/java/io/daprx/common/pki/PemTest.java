package io.daprx.common.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;

class PemTest {

  private static final PKCS10CertificationRequest CSR = Certs.csr(KeyAlgorithm.EC_P256.generate(), KeyAlgorithm.EC_P256);

  @Test
  void encodesAsPemWriterDoesOnLinux() throws Exception {
    for (int len : new int[] {0, 1, 47, 48, 49, 95, 96, 1000}) {
      byte[] der = new byte[len];
      for (int i = 0; i < len; i++) {
        der[i] = (byte) (i * 31);
      }
      StringWriter sw = new StringWriter();
      try (PemWriter w = new PemWriter(sw)) {
        w.writeObject(new PemObject("CERTIFICATE", der));
      }
      assertThat(Pem.encode("CERTIFICATE", der)).as("%d bytes", len).isEqualTo(sw.toString().replace("\r\n", "\n"));
    }
  }

  @Test
  void readsTheCsrBlockDaprdSendsAndTheFormsAroundIt() throws Exception {
    String pem = Pem.encodeCsr(CSR);
    byte[] der = CSR.getEncoded();
    for (String text : new String[] {
        pem, // what daprd sends
        "\n  " + pem.replace("\n", "\r\n") + "\n\n", // CRLF and white space around
        pem.replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"),
        pem.replace("CERTIFICATE REQUEST", "CERTIFICATE"),
        Pem.encode("PRIVATE KEY", new byte[] {1, 2, 3}) + pem, // another block first: the full reader
        "comment line\n" + pem}) {
      assertThat(Pem.parseCsr(text.getBytes(StandardCharsets.US_ASCII)).getEncoded()).as(text).isEqualTo(der);
    }
  }

  @Test
  void badCsrTextSaysWhatIsWrong() {
    String pem = Pem.encodeCsr(CSR);
    assertThatThrownBy(() -> Pem.parseCsr("nothing here".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no CERTIFICATE REQUEST PEM block");
    assertThatThrownBy(() -> Pem.parseCsr(Pem.encode("CERTIFICATE REQUEST", new byte[] {0x30, 0x03, 1, 2, 3}).getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid PEM PKCS#10 request");
    String truncated = pem.substring(0, pem.indexOf("-----END"));
    assertThatThrownBy(() -> Pem.parseCsr(truncated.getBytes(StandardCharsets.US_ASCII))).isInstanceOf(IllegalArgumentException.class);
    String mismatched = pem.replace("-----END CERTIFICATE REQUEST-----", "-----END CERTIFICATE-----");
    assertThatThrownBy(() -> Pem.parseCsr(mismatched.getBytes(StandardCharsets.US_ASCII))).isInstanceOf(IllegalArgumentException.class);
  }
}
