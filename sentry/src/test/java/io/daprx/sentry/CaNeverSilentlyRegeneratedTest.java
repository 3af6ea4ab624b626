package io.daprx.sentry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daprx.common.trust.CaBundleException;
import io.daprx.common.trust.FileBundleStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CA that existed is never silently made anew: a sentry told that its installer made the CA (as daprx's local clusters do)
 * refuses to start when the CA is gone, naming the fix, and leaves the directory empty; a first start still generates one.
 */
class CaNeverSilentlyRegeneratedTest {

  @TempDir
  Path creds;

  private SentryOptions options() {
    return SentryOptions.defaults(creds).withPorts(0, 0, 0).withListenAddress("127.0.0.1");
  }

  @Test
  void aSentryWhoseCaWasMadeBeforeItRefusesToStartWhenTheCaIsGone() {
    assertThatThrownBy(() -> new Sentry(options().withRequireExistingCa(true), Clock.systemUTC()).start())
        .isInstanceOf(CaBundleException.class)
        .hasMessageContaining("no CA bundle in directory " + creds.toAbsolutePath())
        .hasMessageContaining("a CA existed")
        .hasMessageContaining("Restore ca.crt, issuer.crt and issuer.key from a backup");
    assertThat(new FileBundleStore(creds).load().empty()).as("no new root was written").isTrue();
  }

  @Test
  void aFirstStartStillGeneratesTheCa() throws Exception {
    try (Sentry sentry = new Sentry(options(), Clock.systemUTC()).start()) {
      assertThat(Files.exists(creds.resolve("ca.crt"))).isTrue();
      assertThat(sentry.ca().get().root()).isNotNull();
    }
  }
}
