package io.daprx.sentry.ca;

import io.daprx.common.trust.BundleStore;
import io.daprx.common.trust.RawBundle;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes mode's bundle store: Secret {@code dapr-trust-bundle} ({@code ca.crt}, {@code issuer.crt},
 * {@code issuer.key}) and ConfigMap {@code dapr-trust-bundle} ({@code ca.crt}, what sidecars and the
 * injector read) in the control-plane namespace.
 */
public final class KubernetesBundleStore implements BundleStore {

  public static final String NAME = "dapr-trust-bundle";
  static final Map<String, String> LABELS = Map.of("app.kubernetes.io/part-of", "dapr");

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesBundleStore.class);
  // A conflict means another writer moved first; a few rounds settle any realistic start-up race.
  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String namespace;

  public KubernetesBundleStore(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  @Override
  public RawBundle load() {
    return toRaw(secret().get());
  }

  /** Overwrites the three keys (other keys, labels and annotations of the objects are kept). */
  @Override
  public void save(RawBundle bundle) {
    try {
      Secret current = secret().get();
      if (current == null) {
        try {
          client.secrets().inNamespace(namespace).resource(newSecret(bundle)).create();
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
            throw e;
          }
          secret().edit(s -> withBundle(s, bundle));
        }
      } else {
        secret().edit(s -> withBundle(s, bundle));
      }
    } catch (KubernetesClientException e) {
      throw failure("write", "Secret", e);
    }
    syncConfigMap(bundle.caCrt());
    LOG.info("wrote the CA bundle to {} and its trust anchors to ConfigMap {}/{}", describe(), namespace, NAME);
  }

  /**
   * Create-or-conflict makes the first replica the only writer; an existing but empty Secret (made by an
   * installer ahead of sentry) is filled through an update guarded by its resourceVersion, so two replicas
   * can never both fill it.
   */
  @Override
  public RawBundle saveIfAbsent(RawBundle bundle) {
    try {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        Secret current = secret().get();
        if (current != null && !toRaw(current).empty()) {
          break;
        }
        if (writeIfStillEmpty(current, bundle)) {
          LOG.info("stored a new CA bundle in {}", describe());
          break;
        }
        LOG.debug("{} was written by another replica first; reading what it stored", describe());
      }
    } catch (KubernetesClientException e) {
      throw failure("write", "Secret", e);
    }
    RawBundle stored = load();
    if (stored.empty()) {
      throw new IllegalStateException("could not store the CA bundle in " + describe() + ": it kept changing under concurrent writers");
    }
    syncConfigMap(stored.caCrt());
    return stored;
  }

  /** False when another writer got there first (the caller re-reads). */
  private boolean writeIfStillEmpty(Secret current, RawBundle bundle) {
    try {
      if (current == null) {
        client.secrets().inNamespace(namespace).resource(newSecret(bundle)).create();
      } else {
        // update() sends the resourceVersion we read, so the API server refuses it if anyone wrote since.
        client.secrets().inNamespace(namespace).resource(withBundle(current, bundle)).update();
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  private void syncConfigMap(String caCrt) {
    if (caCrt == null) {
      return; // a Secret without anchors is refused when parsed; publishing nothing is better than an empty ConfigMap
    }
    Resource<ConfigMap> cm = client.configMaps().inNamespace(namespace).withName(NAME);
    try {
      ConfigMap current = cm.get();
      if (current == null) {
        try {
          client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
              .withNewMetadata().withName(NAME).withNamespace(namespace).withLabels(LABELS).endMetadata()
              .addToData(RawBundle.CA_CRT, caCrt)
              .build()).create();
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
            throw e;
          }
        }
      } else if (caCrt.equals(data(current.getData()).get(RawBundle.CA_CRT))) {
        return;
      }
      cm.edit(c -> new ConfigMapBuilder(c)
          .editMetadata().addToLabels(LABELS).endMetadata()
          .addToData(RawBundle.CA_CRT, caCrt)
          .build());
    } catch (KubernetesClientException e) {
      throw failure("write", "ConfigMap", e);
    }
  }

  /**
   * What shows that a CA existed in this namespace although the Secret may be empty or gone: the ConfigMap sidecars read
   * their trust anchors from still holds them. Empty when it does not.
   */
  public Optional<String> publishedAnchors() {
    try {
      ConfigMap cm = client.configMaps().inNamespace(namespace).withName(NAME).get();
      String anchors = cm == null ? null : data(cm.getData()).get(RawBundle.CA_CRT);
      return anchors == null || anchors.isBlank() ? Optional.empty()
          : Optional.of("ConfigMap " + namespace + "/" + NAME + " still holds the trust anchors sidecars verify with");
    } catch (KubernetesClientException e) {
      throw failure("read", "ConfigMap", e);
    }
  }

  private Resource<Secret> secret() {
    return client.secrets().inNamespace(namespace).withName(NAME);
  }

  private Secret newSecret(RawBundle bundle) {
    return withBundle(new SecretBuilder()
        .withNewMetadata().withName(NAME).withNamespace(namespace).endMetadata()
        .withType("Opaque")
        .build(), bundle);
  }

  private static Secret withBundle(Secret base, RawBundle bundle) {
    Map<String, String> data = new HashMap<>(data(base.getData()));
    put(data, RawBundle.CA_CRT, bundle.caCrt());
    put(data, RawBundle.ISSUER_CRT, bundle.issuerCrt());
    put(data, RawBundle.ISSUER_KEY, bundle.issuerKey());
    return new SecretBuilder(base)
        .editMetadata().addToLabels(LABELS).endMetadata()
        .withData(data)
        .build();
  }

  private static void put(Map<String, String> data, String key, String text) {
    if (text == null) {
      data.remove(key);
    } else {
      data.put(key, Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII)));
    }
  }

  private static RawBundle toRaw(Secret secret) {
    if (secret == null) {
      return new RawBundle(null, null, null);
    }
    Map<String, String> data = data(secret.getData());
    return new RawBundle(decode(data.get(RawBundle.CA_CRT)), decode(data.get(RawBundle.ISSUER_CRT)), decode(data.get(RawBundle.ISSUER_KEY)));
  }

  private static Map<String, String> data(Map<String, String> data) {
    return data == null ? Map.of() : data;
  }

  private static String decode(String base64) {
    return base64 == null ? null : new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.US_ASCII);
  }

  /** Names the object and the HTTP status; the cause's text (URL and API status) never carries the request body. */
  private IllegalStateException failure(String verb, String kind, KubernetesClientException e) {
    return new IllegalStateException("cannot " + verb + " " + kind + " " + namespace + "/" + NAME + ": HTTP " + e.getCode()
        + (e.getStatus() != null && e.getStatus().getReason() != null ? " " + e.getStatus().getReason() : ""), e);
  }

  @Override
  public String describe() {
    return "Secret " + namespace + "/" + NAME;
  }
}
