package io.daprx.injector;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code clientConfig.caBundle} of every webhook in the MutatingWebhookConfiguration equal to the base64 PEM of
 * the current trust anchors, so the API server verifies the injector's sentry-issued certificate. Never throws: a
 * missing object or an API failure is logged and {@link #sync()} reports false so the caller retries.
 */
public final class CaBundleSync {

  private static final Logger LOG = LoggerFactory.getLogger(CaBundleSync.class);
  /** Between two warnings about the same missing object, lest a retry loop fill the log. */
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);

  private final KubernetesClient client;
  private final String name;
  private final Clock clock;
  private volatile String desiredBundle;
  private Instant lastWarning = Instant.MIN;

  public CaBundleSync(KubernetesClient client, String name, Clock clock) {
    this.client = client;
    this.name = name;
    this.clock = clock;
  }

  /** The PEM of the anchors the bundle should hold from now on. */
  public void desired(String anchorsPem) {
    desiredBundle = Base64.getEncoder().encodeToString(anchorsPem.getBytes(StandardCharsets.UTF_8));
  }

  /** @return true when every webhook of the object now carries the desired bundle */
  public synchronized boolean sync() {
    String bundle = desiredBundle;
    if (bundle == null) {
      return false;
    }
    String what = "MutatingWebhookConfiguration(" + name + ")";
    try {
      var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name);
      MutatingWebhookConfiguration current = resource.get();
      if (current == null) {
        warn(what + " does not exist: the API server cannot call the injector until it does; retrying");
        return false;
      }
      if (current.getWebhooks() == null || current.getWebhooks().isEmpty()) {
        warn(what + " has no webhooks to give the CA bundle to; retrying");
        return false;
      }
      if (current.getWebhooks().stream().allMatch(w -> w.getClientConfig() != null
          && Objects.equals(w.getClientConfig().getCaBundle(), bundle))) {
        return true;
      }
      resource.edit(m -> {
        for (MutatingWebhook w : m.getWebhooks()) {
          if (w.getClientConfig() == null) {
            w.setClientConfig(new WebhookClientConfig());
          }
          w.getClientConfig().setCaBundle(bundle);
        }
        return m;
      });
      LOG.info("{}: caBundle of {} webhook(s) set to the current trust anchors", what, current.getWebhooks().size());
      lastWarning = Instant.MIN;
      return true;
    } catch (KubernetesClientException e) {
      warn(what + ": cannot update the caBundle (HTTP " + e.getCode() + "): " + e.getMessage() + "; retrying");
      return false;
    } catch (RuntimeException e) {
      warn(what + ": cannot update the caBundle: " + e + "; retrying");
      return false;
    }
  }

  private void warn(String message) {
    Instant now = clock.instant();
    if (lastWarning.equals(Instant.MIN) || !now.isBefore(lastWarning.plus(WARN_EVERY))) {
      LOG.warn(message);
      lastWarning = now;
    } else {
      LOG.debug(message);
    }
  }
}
