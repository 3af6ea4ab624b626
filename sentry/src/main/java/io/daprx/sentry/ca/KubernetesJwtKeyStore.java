package io.daprx.sentry.ca;

import io.daprx.sentry.jwt.JwtKeyMaterial;
import io.daprx.sentry.jwt.JwtKeyStore;
import io.daprx.sentry.jwt.JwtKeys;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Kubernetes mode: the JWT signing key and JWKS as two more keys of Secret {@code dapr-trust-bundle} (upstream's
 * {@code jwt.key}, {@code jwks.json}), and the JWKS also in ConfigMap {@code dapr-trust-bundle}, as upstream publishes it for
 * verifiers that do not use the OIDC server. The CA's keys of both objects are left alone.
 */
public final class KubernetesJwtKeyStore implements JwtKeyStore {

  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String namespace;
  private final String keyName;
  private final String jwksName;

  public KubernetesJwtKeyStore(KubernetesClient client, String namespace, String keyName, String jwksName) {
    this.client = client;
    this.namespace = namespace;
    this.keyName = keyName;
    this.jwksName = jwksName;
  }

  @Override
  public JwtKeyMaterial load() {
    try {
      Secret s = client.secrets().inNamespace(namespace).withName(KubernetesBundleStore.NAME).get();
      Map<String, String> data = s == null || s.getData() == null ? Map.of() : s.getData();
      return new JwtKeyMaterial(decode(data.get(keyName)), decode(data.get(jwksName)));
    } catch (KubernetesClientException e) {
      throw failure("read", "Secret", e);
    }
  }

  @Override
  public void save(JwtKeyMaterial m) {
    try {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (write(m, false)) {
          break;
        }
      }
    } catch (KubernetesClientException e) {
      throw failure("write", "Secret", e);
    }
    publish(m.jwksJson());
  }

  /** Create-or-conflict, and updates guarded by the resourceVersion read: of replicas starting together, one key wins. */
  @Override
  public JwtKeyMaterial saveIfAbsent(JwtKeyMaterial m) {
    try {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (write(m, true)) {
          break;
        }
      }
    } catch (KubernetesClientException e) {
      throw failure("write", "Secret", e);
    }
    JwtKeyMaterial stored = load();
    if (stored.signingKeyPem() == null) {
      throw new IllegalStateException("could not store the JWT signing key in " + describe() + ": it kept changing under concurrent writers");
    }
    publish(stored.jwksJson());
    return stored;
  }

  /** True when written, or (onlyIfAbsent) when a key is already there; false when another writer moved first. */
  private boolean write(JwtKeyMaterial m, boolean onlyIfAbsent) {
    Secret current = client.secrets().inNamespace(namespace).withName(KubernetesBundleStore.NAME).get();
    Map<String, String> data = new HashMap<>(current == null || current.getData() == null ? Map.of() : current.getData());
    if (onlyIfAbsent && data.get(keyName) != null) {
      return true;
    }
    data.put(keyName, encode(m.signingKeyPem()));
    data.put(jwksName, encode(m.jwksJson()));
    try {
      if (current == null) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder()
            .withNewMetadata().withName(KubernetesBundleStore.NAME).withNamespace(namespace).withLabels(KubernetesBundleStore.LABELS).endMetadata()
            .withType("Opaque").withData(data).build()).create();
      } else {
        // update() sends the resourceVersion read: refused if anyone (the CA's writer, another replica) wrote since
        client.secrets().inNamespace(namespace).resource(new SecretBuilder(current).withData(data).build()).update();
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The public keys only, whatever the Secret holds: everyone may read the ConfigMap. Replicas starting together all
   * publish the same JWKS (the Secret's winner), so a write refused because another moved first is read again: usually
   * it is there already.
   */
  private void publish(String jwksJson) {
    if (jwksJson == null) {
      return;
    }
    String published = JwtKeys.publicOnly(jwksJson);
    try {
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (publishOnce(published)) {
          return;
        }
      }
      throw new IllegalStateException("could not publish the JWKS in ConfigMap " + namespace + "/" + KubernetesBundleStore.NAME
          + ": it kept changing under concurrent writers");
    } catch (KubernetesClientException e) {
      throw failure("write", "ConfigMap", e);
    }
  }

  /** True when the ConfigMap holds {@code published}; false when another writer moved first (409). */
  private boolean publishOnce(String published) {
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(KubernetesBundleStore.NAME).get();
    if (cm != null && cm.getData() != null && published.equals(cm.getData().get(jwksName))) {
      return true;
    }
    try {
      if (cm == null) {
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
            .withNewMetadata().withName(KubernetesBundleStore.NAME).withNamespace(namespace).withLabels(KubernetesBundleStore.LABELS).endMetadata()
            .addToData(jwksName, published).build()).create();
      } else {
        // update() sends the resourceVersion read: refused if anyone wrote since
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder(cm).addToData(jwksName, published).build()).update();
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String base64) {
    return base64 == null ? null : new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** Names the object and the HTTP status, never a request body. */
  private IllegalStateException failure(String verb, String kind, KubernetesClientException e) {
    return new IllegalStateException("cannot " + verb + " " + kind + " " + namespace + "/" + KubernetesBundleStore.NAME + " (JWT signing"
        + " key): HTTP " + e.getCode(), e);
  }

  @Override
  public String describe() {
    return "Secret " + namespace + "/" + KubernetesBundleStore.NAME + " (" + keyName + ", " + jwksName + ")";
  }
}
