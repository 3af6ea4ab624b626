package io.daprx.manager.kube;

import io.daprx.manager.model.ControlPlane;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The admission webhook registration that sends every new pod to the injector. */
final class InjectorWebhook {

  static final String NAME = "dapr-sidecar-injector";
  static final String WEBHOOK = "sidecar-injector.dapr.io";

  private InjectorWebhook() {}

  /**
   * The injector serves with a certificate from sentry, so the API server must trust sentry's anchors. With no
   * bundle rendered (sentry generates it) the caBundle stays empty and the injector fills it in when it starts.
   * Failure policy Ignore: a pod created while the injector is down starts without a sidecar rather than not at all.
   */
  static MutatingWebhookConfiguration configuration(InstallSpec spec) {
    String caBundle = spec.trustBundle() == null ? null
        : Base64.getEncoder().encodeToString(spec.trustBundle().caCrt().getBytes(StandardCharsets.US_ASCII));
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata().withName(NAME).withLabels(Pods.labels(ControlPlane.INJECTOR, spec)).endMetadata()
        .addNewWebhook()
          .withName(WEBHOOK)
          .withNewClientConfig()
            .withNewService().withNamespace(spec.namespace()).withName(NAME).withPath("/mutate").withPort(443).endService()
            .withCaBundle(caBundle)
          .endClientConfig()
          .addNewRule().withApiGroups("").withApiVersions("v1").withResources("pods").withOperations("CREATE").endRule()
          .withFailurePolicy("Ignore")
          .withSideEffects("None")
          .withReinvocationPolicy("IfNeeded")
          .withAdmissionReviewVersions("v1")
          .withTimeoutSeconds(10)
        .endWebhook()
        .build();
  }
}
