package io.daprx.manager.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one write path to a Kubernetes cluster (Strimzi's {@code reconcile(ns, name, desired)}): an object
 * is server-side applied (field manager {@value #FIELD_MANAGER}, conflicts forced; a create or a JSON merge
 * patch where the server has no server-side apply) when absent or when its desired state changed, and left
 * alone otherwise. "Changed" is decided by a hash of the desired
 * object kept in an annotation, so an unchanged install costs one GET per object and no write, whatever
 * other controllers (the kubelet, an HPA) did to the live object's fields. Before the first apply to an object an
 * older daprx wrote with a plain create or update, its fields are moved to our manager ({@link LegacyOwnership}).
 */
public final class KubeApply {

  public static final String FIELD_MANAGER = "daprx";
  public static final String HASH_ANNOTATION = "daprx.io/desired-hash";

  public enum Result { CREATED, PATCHED, UNCHANGED, DELETED }

  private KubeApply() {}

  /** Makes the cluster hold {@code desired}; with {@code desired == null}, removes {@code identity} (kind, namespace, name). */
  public static Result reconcile(KubernetesClient client, HasMetadata identity, HasMetadata desired) {
    if (desired == null) {
      boolean deleted = !client.resource(identity).delete().isEmpty();
      return deleted ? Result.DELETED : Result.UNCHANGED;
    }
    KubernetesSerialization json = client.getKubernetesSerialization();
    HasMetadata copy = json.clone(desired);
    String hash = hash(json.asJson(copy));
    Map<String, String> annotations = new LinkedHashMap<>(copy.getMetadata().getAnnotations() == null ? Map.of() : copy.getMetadata().getAnnotations());
    annotations.put(HASH_ANNOTATION, hash);
    copy.getMetadata().setAnnotations(annotations);
    HasMetadata current = client.resource(copy).get();
    if (current == null) {
      // created by server-side apply too, so every field is ours from the start: a plain create leaves the fields to an
      // Update manager ("fabric8-kubernetes-client") that a later apply never takes away, and a setting removed later
      // (a node selector) would stay on the live object for good. A real API server showed it; the CRUD mock cannot.
      // (the CRUD mock answers an apply of an absent object 404, not 415)
      apply(client, copy, true, () -> client.resource(copy).create());
      return Result.CREATED;
    }
    Map<String, String> live = current.getMetadata().getAnnotations();
    if (live != null && hash.equals(live.get(HASH_ANNOTATION))) {
      return Result.UNCHANGED;
    }
    // fields an older daprx wrote with a plain create or update come under our manager first, or the apply below could
    // never remove what the desired state no longer has (see LegacyOwnership)
    LegacyOwnership.patch(current, copy).ifPresent(patch -> client.resource(current).patch(PatchContext.of(PatchType.JSON), patch));
    copy.getMetadata().setResourceVersion(null);
    // no server-side apply here (API servers before 1.16, fabric8's CRUD mock): a JSON merge patch of the same
    // object also keeps the fields other writers own (sentry's generated CA, the kubelet's status)
    apply(client, copy, false, () -> client.resource(copy).patch(PatchContext.of(PatchType.JSON_MERGE), copy));
    return Result.PATCHED;
  }

  /**
   * Server-side applies {@code object} as {@value #FIELD_MANAGER}, conflicts forced; {@code fallback} where the server has
   * no apply (415; with {@code absent}, also 404).
   */
  private static void apply(KubernetesClient client, HasMetadata object, boolean absent, Runnable fallback) {
    try {
      client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 415 && !(absent && e.getCode() == 404)) {
        throw e;
      }
      fallback.run();
    }
  }

  /** Shorthand for {@code reconcile(client, desired, desired)}. */
  public static Result reconcile(KubernetesClient client, HasMetadata desired) {
    return reconcile(client, desired, desired);
  }

  static String hash(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
