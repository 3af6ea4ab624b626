package io.daprx.bench;

/** A realistic AdmissionReview for the injector benchmark, as the API server sends it for a Deployment's pod. */
final class AdmissionReviews {

  /** Replaced by each request's uid; same length as a Kubernetes uid. */
  static final String UID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000";

  private AdmissionReviews() {}

  static String deploymentPod() {
    return """
        {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"%s",
        "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
        "requestKind":{"group":"","version":"v1","kind":"Pod"},"requestResource":{"group":"","version":"v1","resource":"pods"},
        "namespace":"shop","operation":"CREATE",
        "userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller","uid":"6c4e1a52-1b7e-4a55-9d1b-1f0c5e0f2d11",
          "groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]},
        "object":{"kind":"Pod","apiVersion":"v1","metadata":{"generateName":"checkout-7d9f8b6c5d-","namespace":"shop",
          "creationTimestamp":null,"labels":{"app":"checkout","app.kubernetes.io/name":"checkout","pod-template-hash":"7d9f8b6c5d"},
          "annotations":{"dapr.io/enabled":"true","dapr.io/app-id":"checkout","dapr.io/app-port":"8080","dapr.io/config":"appconfig",
            "dapr.io/log-level":"info","dapr.io/enable-api-logging":"true","dapr.io/sidecar-cpu-request":"100m",
            "dapr.io/sidecar-memory-request":"64Mi","dapr.io/sidecar-memory-limit":"256Mi",
            "kubectl.kubernetes.io/restartedAt":"2026-11-20T10:00:00Z"},
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"checkout-7d9f8b6c5d",
            "uid":"9a1f5e7c-2b3d-4c5e-8f90-a1b2c3d4e5f6","controller":true,"blockOwnerDeletion":true}],
          "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2026-11-24T10:00:00Z",
            "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:dapr.io/app-id":{},"f:dapr.io/enabled":{}},
            "f:generateName":{},"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"checkout\\"}":{".":{}}}}}}]},
        "spec":{"volumes":[{"name":"kube-api-access-7x2bq","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,
            "path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
            {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],
            "defaultMode":420}}],
          "containers":[{"name":"checkout","image":"shop.example.com/checkout:2.4.1","ports":[{"name":"http","containerPort":8080,
            "protocol":"TCP"}],"env":[{"name":"LOG_FORMAT","value":"json"},{"name":"OTEL_SERVICE_NAME","value":"checkout"}],
            "resources":{"limits":{"memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},
            "volumeMounts":[{"name":"kube-api-access-7x2bq","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],
            "readinessProbe":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,
            "successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log",
            "terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"},
           {"name":"log-shipper","image":"fluent/fluent-bit:3.1","resources":{"requests":{"cpu":"20m","memory":"32Mi"}},
            "volumeMounts":[{"name":"kube-api-access-7x2bq","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],
            "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
          "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"checkout",
          "serviceAccount":"checkout","securityContext":{},"schedulerName":"default-scheduler",
          "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
            {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
          "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
        "status":{}},"oldObject":null,"dryRun":false,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}}
        """.formatted(UID_PLACEHOLDER);
  }
}
