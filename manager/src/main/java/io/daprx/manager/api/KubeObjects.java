package io.daprx.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A local cluster's pods, Services and namespaces as the Kubernetes objects kubectl reads (fabric8's models), and the
 * server-side tables {@code kubectl get} prints. Pure: the views in, the objects out, the time given.
 */
final class KubeObjects {

  /** Every local pod runs on this machine; kubectl's NODE column names it. */
  static final String NODE = "local";
  static final String LOOPBACK = "127.0.0.1";

  private KubeObjects() {}

  /** A pod from the view {@code LocalClusters.pods} gives (name, namespace, component, status, ready, restarts, ...). */
  static Pod pod(JsonNode v) {
    String name = v.path("name").asText();
    String ns = v.path("namespace").asText();
    String component = container(v.path("component").asText());
    String status = v.path("status").asText();
    boolean ready = v.path("ready").asText().startsWith("1");
    String created = timestamp(v.path("createdAt").asText(null));
    List<ContainerPort> ports = new ArrayList<>();
    v.path("ports").fields().forEachRemaining(p -> ports.add(new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
        .withName(p.getKey()).withContainerPort(p.getValue().asInt()).withProtocol("TCP").build()));
    String image = "daprx:" + v.path("version").asText("unknown");
    ContainerStateBuilder state = new ContainerStateBuilder();
    switch (status) {
      case "Running", "Terminating" -> state.withNewRunning().withStartedAt(created).endRunning();
      case "CrashLoopBackOff" -> state.withNewWaiting().withReason("CrashLoopBackOff")
          .withMessage("back-off restarting failed container " + component).endWaiting();
      default -> state.withNewWaiting().withReason("ContainerCreating").endWaiting();
    }
    ContainerStatusBuilder cs = new ContainerStatusBuilder().withName(component).withImage(image).withReady(ready)
        .withStarted(status.equals("Running")).withRestartCount(v.path("restarts").asInt()).withState(state.build());
    if (v.hasNonNull("pid")) {
      cs.withContainerID("process://" + v.path("pid").asLong());
    }
    if (v.hasNonNull("lastExitReason")) {
      cs.withNewLastState().withNewTerminated().withReason(v.path("lastExitReason").asText())
          .withExitCode(exitCode(v.path("lastExitReason").asText())).endTerminated().endLastState();
    }
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withUid(uid("pod", ns, name, created))
        .withCreationTimestamp(created).withLabels(Map.of("app", component)).withResourceVersion("1").endMetadata()
        .withNewSpec().withNodeName(NODE).withContainers(new ContainerBuilder().withName(component).withImage(image)
            .withPorts(ports).build()).endSpec()
        .withNewStatus().withPhase(status.equals("Pending") ? "Pending" : "Running").withHostIP(LOOPBACK)
        .withPodIP(status.equals("Pending") ? null : LOOPBACK).withStartTime(created)
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .addNewCondition().withType("ContainersReady").withStatus(ready ? "True" : "False").endCondition()
        .withContainerStatuses(cs.build()).endStatus();
    if (status.equals("Terminating")) {
      // kubectl shows a pod that has a deletion time as Terminating, as the API server marks one being deleted
      b.editMetadata().withDeletionTimestamp(created).endMetadata();
    }
    return b.build();
  }

  /** A Service from the view {@code LocalClusters.services} gives (name, namespace, createdAt, address, port, endpoints). */
  static Service service(JsonNode v) {
    String name = v.path("name").asText();
    String ns = v.path("namespace").asText();
    String created = timestamp(v.path("createdAt").asText(null));
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).withUid(uid("service", ns, name, ""))
        .withCreationTimestamp(created).withResourceVersion("1").endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP(LOOPBACK).withClusterIPs(LOOPBACK)
        .withPorts(new ServicePortBuilder().withProtocol("TCP").withPort(v.path("port").asInt()).build())
        .withSelector(Map.of("app", name)).endSpec().build();
  }

  static Namespace namespace(String name, String created) {
    return new NamespaceBuilder().withNewMetadata().withName(name).withUid(uid("namespace", "", name, ""))
        .withCreationTimestamp(created).withResourceVersion("1").endMetadata().withNewStatus().withPhase("Active").endStatus().build();
  }

  /** A failure as the API server answers it: kubectl prints its message after "Error from server (REASON)". */
  static Status failure(int code, String reason, String message) {
    return new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message).withNewMetadata()
        .endMetadata().build();
  }

  /** The reason the API server gives with each status code (kubectl names it). */
  static String reason(int code) {
    return switch (code) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 409 -> "AlreadyExists";
      case 413 -> "RequestEntityTooLarge";
      case 415 -> "UnsupportedMediaType";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      default -> code >= 500 ? "InternalError" : "BadRequest";
    };
  }

  /**
   * An age as kubectl prints it (k8s.io/apimachinery's HumanDuration): seconds under two minutes, minutes and seconds
   * under ten, then minutes, hours and minutes, hours, days and hours, days, years and days, years.
   */
  static String age(Instant created, Instant now) {
    if (created == null) {
      return "<unknown>";
    }
    Duration d = Duration.between(created, now);
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      return s % 60 == 0 ? m + "m" : m + "m" + (s % 60) + "s";
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 8) {
      return m % 60 == 0 ? h + "h" : h + "h" + (m % 60) + "m";
    }
    if (h < 48) {
      return h + "h";
    }
    if (h < 192) {
      return h % 24 == 0 ? (h / 24) + "d" : (h / 24) + "d" + (h % 24) + "h";
    }
    long days = h / 24;
    if (days < 365 * 2) {
      return days + "d";
    }
    long years = days / 365;
    return years < 8 ? (days % 365 == 0 ? years + "y" : years + "y" + (days % 365) + "d") : years + "y";
  }

  static Instant instant(String timestamp) {
    try {
      return timestamp == null || timestamp.isBlank() ? null : Instant.parse(timestamp);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /**
   * RFC 3339, as the API server writes times, but with the fraction of a second kept: which of two replicas started
   * first, a second apart, is worth knowing (Go's RFC 3339 parser, kubectl's, reads fractions).
   */
  static String timestamp(String instant) {
    Instant i = instant(instant);
    return i == null ? null : i.toString();
  }

  /** A uid stable for the object's life: the same pod listed twice is the same object to a watching client. */
  static String uid(String kind, String ns, String name, String created) {
    return UUID.nameUUIDFromBytes((kind + "/" + ns + "/" + name + "/" + created).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static int exitCode(String reason) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("exit code (\\d+)").matcher(reason);
    if (m.find()) {
      return Integer.parseInt(m.group(1));
    }
    m = java.util.regex.Pattern.compile("signal (\\d+)").matcher(reason);
    return m.find() ? 128 + Integer.parseInt(m.group(1)) : 1;
  }

  /**
   * A component's container and {@code app} label: its workload's name ({@code dapr-sentry}, {@code dapr-placement-server}),
   * as on Kubernetes, so {@code -l app=dapr-sentry} and {@code -c dapr-sentry} mean the same on both.
   */
  static String container(String component) {
    return io.daprx.manager.model.ControlPlane.component(component).map(io.daprx.manager.model.Component::workload)
        .orElse(component);
  }

  /** Labels as a map for selectors (null when none). */
  static Map<String, String> labels(JsonNode metadata) {
    Map<String, String> out = new LinkedHashMap<>();
    metadata.path("labels").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
