package io.daprx.operator.crds;

import io.daprx.common.dapr.ResourceKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The CustomResourceDefinitions of the Dapr kinds the operator serves, as YAML resources of this jar
 * ({@code io/daprx/operator/crds/<plural>.dapr.io.yaml}), for whoever installs the control plane to apply.
 */
public final class Crds {

  /** The CRD names, one per {@link ResourceKind} in its order, each also its file name without {@code .yaml}. */
  public static final List<String> NAMES = Arrays.stream(ResourceKind.values()).map(k -> k.plural() + "." + ResourceKind.GROUP).toList();

  private Crds() {}

  /** The class-path resource of one CRD, e.g. {@code /io/daprx/operator/crds/components.dapr.io.yaml}. */
  public static String resourcePath(String name) {
    return "/io/daprx/operator/crds/" + name + ".yaml";
  }

  /** The YAML of one CRD by name (one of {@link #NAMES}). */
  public static String yaml(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("no CRD " + name + "; the operator's CRDs are " + NAMES);
    }
    try (InputStream in = Crds.class.getResourceAsStream(resourcePath(name))) {
      if (in == null) {
        throw new IllegalStateException("CRD " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every CRD's YAML, in {@link #NAMES} order. */
  public static List<String> all() {
    return NAMES.stream().map(Crds::yaml).toList();
  }
}
