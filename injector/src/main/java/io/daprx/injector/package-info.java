/**
 * Injector: the mutating admission webhook that adds the {@code daprd} sidecar to pods annotated
 * {@code dapr.io/enabled: "true"}. The decision and the JSON Patch are pure ({@link io.daprx.injector.patch});
 * this package owns the HTTPS server, its certificate and the webhook configuration's {@code caBundle}.
 */
package io.daprx.injector;
