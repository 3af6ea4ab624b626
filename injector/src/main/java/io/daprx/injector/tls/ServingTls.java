package io.daprx.injector.tls;

import io.daprx.common.tls.SvidKeyManager;
import io.daprx.common.tls.SvidSource;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/** The webhook's server-side TLS context: whatever certificate the source holds at each handshake, no client auth. */
public final class ServingTls {

  private ServingTls() {}

  public static SSLContext context(SvidSource source) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new KeyManager[] {new SvidKeyManager(source)}, null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }
}
