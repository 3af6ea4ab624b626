package io.daprx.injector.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.daprx.injector.patch.PodPatch.Outcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnotationValidationTest {

  static String rejection(String key, String value) {
    ObjectNode pod = Pods.annotate(Pods.barePod("w"), key, value);
    Outcome o = PodPatch.compute(pod, "default", SidecarSettings.defaults(Pods.IMAGE, Pods.ANCHORS));
    assertThat(o).as("%s=%s", key, value).isInstanceOf(Outcome.Rejected.class);
    return ((Outcome.Rejected) o).message();
  }

  @Test
  void badValuesNameTheAnnotationTheValueAndWhatIsAccepted() {
    assertThat(rejection("dapr.io/app-port", "http")).isEqualTo(
        "annotation dapr.io/app-port has an invalid value \"http\": use a port number 1-65535");
    assertThat(rejection("dapr.io/app-port", "70000")).contains("\"70000\"");
    assertThat(rejection("dapr.io/app-protocol", "tcp")).contains("dapr.io/app-protocol", "\"tcp\"", "http, https, grpc, grpcs or h2c");
    assertThat(rejection("dapr.io/log-level", "verbose")).contains("dapr.io/log-level", "debug, info, warn, error");
    assertThat(rejection("dapr.io/enable-metrics", "sometimes")).contains("dapr.io/enable-metrics", "true or false");
    assertThat(rejection("dapr.io/sidecar-memory-limit", "lots")).contains("dapr.io/sidecar-memory-limit", "Kubernetes quantity");
    assertThat(rejection("dapr.io/app-id", "Bad_Id")).contains("dapr.io/app-id", "\"Bad_Id\"", "lowercase letters");
    assertThat(rejection("dapr.io/app-id", "a".repeat(59))).contains("at most 58");
    assertThat(rejection("dapr.io/env", "1BAD=x")).contains("dapr.io/env", "NAME=value");
    assertThat(rejection("dapr.io/env", "NOVALUE")).contains("dapr.io/env");
    assertThat(rejection("dapr.io/graceful-shutdown-seconds", "-5")).contains("-1 for daprd's default");
    assertThat(rejection("dapr.io/app-health-check-path", "healthz")).contains("a path starting with /");
    assertThat(rejection("dapr.io/block-shutdown-duration", "soon")).contains("a duration");
    assertThat(rejection("dapr.io/sidecar-seccomp-profile-type", "strict")).contains("RuntimeDefault");
    assertThat(rejection("dapr.io/sidecar-liveness-probe-period-seconds", "0")).contains("at least 1");
  }

  @Test
  void legacyAnnotationsAreValidatedAsUpstreamParsesThem() {
    // upstream: strconv.ParseInt(v, 10, 64) for the legacy sizes, IsTruthy for app-ssl
    assertThat(rejection("dapr.io/http-max-request-size", "8MB")).isEqualTo(
        "annotation dapr.io/http-max-request-size has an invalid value \"8MB\": use a whole number");
    assertThat(rejection("dapr.io/http-max-request-size", "1.5")).contains("dapr.io/http-max-request-size", "a whole number");
    assertThat(rejection("dapr.io/http-read-buffer-size", "16Ki")).contains("dapr.io/http-read-buffer-size", "\"16Ki\"",
        "a whole number");
    assertThat(rejection("dapr.io/http-read-buffer-size", "99999999999999999999")).contains("dapr.io/http-read-buffer-size");
    assertThat(rejection("dapr.io/app-ssl", "sometimes")).contains("dapr.io/app-ssl", "true or false");
    assertThat(rejection("dapr.io/unix-domain-socket-path", "/tmp/../etc")).contains("dapr.io/unix-domain-socket-path",
        "without '..'");
  }

  @Test
  void legacyAnnotationsTakeWhatUpstreamTakes() {
    SidecarConfig c = SidecarConfig.fromAnnotations(Map.of("dapr.io/http-max-request-size", "+16",
        "dapr.io/http-read-buffer-size", "-1", "dapr.io/app-ssl", "yes", "dapr.io/unix-domain-socket-path", "tmp/sockets"));
    assertThat(c.optionalLong(Annotation.HTTP_MAX_REQUEST_SIZE)).isEqualTo(16L);
    assertThat(c.optionalLong(Annotation.HTTP_READ_BUFFER_SIZE)).as("daprd: not positive = its default").isEqualTo(-1L);
    assertThat(c.bool(Annotation.APP_SSL)).isTrue();
    assertThat(c.string(Annotation.UNIX_DOMAIN_SOCKET_PATH)).isEqualTo("tmp/sockets");
    assertThat(SidecarConfig.fromAnnotations(Map.of()).bool(Annotation.APP_SSL)).as("default").isFalse();
  }

  @Test
  void severalBadValuesAreAllReported() {
    ObjectNode pod = Pods.annotate(Pods.annotate(Pods.barePod("w"), "dapr.io/app-port", "x"), "dapr.io/metrics-port", "y");
    String m = ((Outcome.Rejected) PodPatch.compute(pod, "default", SidecarSettings.defaults(Pods.IMAGE, ""))).message();
    assertThat(m).contains("dapr.io/app-port", "dapr.io/metrics-port");
  }

  @Test
  void podNameThatIsNoAppIdIsRejectedWithAHint() {
    Outcome o = PodPatch.compute(Pods.barePod("Web_0"), "default", SidecarSettings.defaults(Pods.IMAGE, ""));
    assertThat(((Outcome.Rejected) o).message()).contains("pod name \"Web_0\"", "set dapr.io/app-id");
  }

  @Test
  void goodValuesAreAccepted() {
    SidecarConfig c = SidecarConfig.fromAnnotations(Map.of("dapr.io/app-port", " 8080 ", "dapr.io/sidecar-cpu-limit", "0.5",
        "dapr.io/sidecar-memory-request", "64Mi", "dapr.io/block-shutdown-duration", "1m30s", "dapr.io/log-level", "WARN",
        "dapr.io/unknown-annotation", "ignored"));
    assertThat(c.integer(Annotation.APP_PORT)).isEqualTo(8080);
    assertThat(c.string(Annotation.LOG_LEVEL)).isEqualTo("warn");
    assertThat(c.integer(Annotation.METRICS_PORT)).as("default").isEqualTo(9090);
    assertThat(c.bool(Annotation.ENABLE_METRICS)).as("default").isTrue();
    assertThat(c.has(Annotation.ENABLE_NATIVE_SIDECAR)).as("no default: the settings decide").isFalse();
  }

  @Test
  void envAnnotationKeepsCommasInsideValues() {
    assertThat(EnvAnnotation.parse("A=1, B=x,y,z ,C=3")).containsExactly(Map.entry("A", "1"), Map.entry("B", "x,y,z"),
        Map.entry("C", "3"));
  }
}
