package io.daprx.injector.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Realistic pods as the API server hands them to the webhook, and a JSON Patch applier. */
public final class Pods {

  public static final ObjectMapper JSON = new ObjectMapper();
  /** The sidecar image the tests' settings give; in a real install its tag is the catalog release's Dapr version. */
  public static final String IMAGE = "ghcr.io/dapr/daprd:1.18.2";
  public static final String ANCHORS = "-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n";

  private Pods() {}

  /** A pod of a Deployment: two app containers (one already sets DAPR_HTTP_PORT), an init container, labels, volumes. */
  public static ObjectNode deploymentPod() {
    return parse("""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"generateName":"checkout-7d9f8b-","namespace":"shop",
           "labels":{"app":"checkout","pod-template-hash":"7d9f8b"},
           "annotations":{"dapr.io/enabled":"true","dapr.io/app-id":"checkout","dapr.io/app-port":"8080",
             "dapr.io/config":"appconfig","dapr.io/log-level":"debug","dapr.io/sidecar-cpu-request":"100m",
             "dapr.io/sidecar-memory-limit":"256Mi","dapr.io/env":"GOMAXPROCS=2,LIST=a,b"},
           "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"checkout-7d9f8b","uid":"u1","controller":true}]},
         "spec":{
           "serviceAccountName":"checkout",
           "initContainers":[{"name":"migrate","image":"shop/migrate:1"}],
           "containers":[
             {"name":"app","image":"shop/checkout:2","ports":[{"containerPort":8080}],
              "env":[{"name":"DAPR_HTTP_PORT","value":"3600"},{"name":"LOG","value":"json"}],
              "volumeMounts":[{"name":"kube-api-access-x","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true}]},
             {"name":"metrics-exporter","image":"prom/exporter:1"}],
           "volumes":[{"name":"kube-api-access-x","projected":{"sources":[{"serviceAccountToken":{"path":"token"}}]}}]}}
        """);
  }

  /** The least a pod can be: no labels, no volumes, one container without env. */
  public static ObjectNode barePod(String name) {
    return parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","annotations":{"dapr.io/enabled":"true"}},
         "spec":{"containers":[{"name":"app","image":"nginx"}]}}
        """.formatted(name));
  }

  public static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode apply(JsonNode patch, JsonNode pod) {
    return JsonPatch.apply(patch, pod);
  }

  public static ObjectNode annotate(ObjectNode pod, String key, String value) {
    ((ObjectNode) pod.path("metadata").path("annotations")).put(key, value);
    return pod;
  }
}
