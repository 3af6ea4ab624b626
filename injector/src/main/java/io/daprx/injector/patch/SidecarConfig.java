package io.daprx.injector.patch;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A pod's {@code dapr.io/…} annotations, validated and typed, with upstream's defaults where one is absent. */
public final class SidecarConfig {

  private final EnumMap<Annotation, Object> values;

  private SidecarConfig(EnumMap<Annotation, Object> values) {
    this.values = values;
  }

  /**
   * Reads every known annotation; unknown {@code dapr.io/} keys are ignored, as upstream does.
   *
   * @throws InvalidAnnotationsException naming each bad annotation, its value and what it accepts
   */
  public static SidecarConfig fromAnnotations(Map<String, String> annotations) {
    EnumMap<Annotation, Object> values = new EnumMap<>(Annotation.class);
    List<String> problems = null;
    for (Annotation a : Annotation.values()) {
      String raw = annotations.get(a.key());
      try {
        if (raw != null) {
          values.put(a, a.parse(raw));
        } else if (a.defaultValue() != null) {
          values.put(a, a.parse(a.defaultValue()));
        }
      } catch (IllegalArgumentException e) {
        if (problems == null) {
          problems = new ArrayList<>(2);
        }
        problems.add(e.getMessage());
      }
    }
    if (problems != null) {
      throw new InvalidAnnotationsException(problems);
    }
    return new SidecarConfig(values);
  }

  public boolean has(Annotation a) {
    return values.containsKey(a);
  }

  public boolean bool(Annotation a) {
    return Boolean.TRUE.equals(values.get(a));
  }

  /** A boolean annotation, or {@code otherwise} when the pod does not set it and it has no default. */
  public boolean bool(Annotation a, boolean otherwise) {
    Object v = values.get(a);
    return v == null ? otherwise : (Boolean) v;
  }

  public int integer(Annotation a) {
    Object v = values.get(a);
    if (v == null) {
      throw new IllegalStateException(a.key() + " has no value and no default");
    }
    return (Integer) v;
  }

  /** The value, or null when unset without a default. */
  public Integer optionalInteger(Annotation a) {
    return (Integer) values.get(a);
  }

  /** A {@link Annotation.Kind#INTEGER} value, or null when unset. */
  public Long optionalLong(Annotation a) {
    return (Long) values.get(a);
  }

  /** The value, or null when unset without a default. */
  public String string(Annotation a) {
    Object v = values.get(a);
    return v == null ? null : v.toString();
  }

  /** {@code dapr.io/volume-mounts} then {@code dapr.io/volume-mounts-rw}, in upstream's order. */
  List<ListValues.Mount> volumeMounts() {
    List<ListValues.Mount> out = new ArrayList<>();
    String ro = string(Annotation.VOLUME_MOUNTS);
    String rw = string(Annotation.VOLUME_MOUNTS_RW);
    if (ro != null) {
      out.addAll(ListValues.mounts(ro, true));
    }
    if (rw != null) {
      out.addAll(ListValues.mounts(rw, false));
    }
    return out;
  }

  /** {@code dapr.io/env-from-secret} as ordered references. */
  List<ListValues.SecretEnv> secretEnv() {
    String raw = string(Annotation.ENV_FROM_SECRET);
    return raw == null ? List.of() : ListValues.secretEnv(raw);
  }

  /** The names {@code dapr.io/pluggable-components} gives the pod's component containers. */
  java.util.Set<String> pluggableComponents() {
    String raw = string(Annotation.PLUGGABLE_COMPONENTS);
    return raw == null ? java.util.Set.of() : new java.util.LinkedHashSet<>(ListValues.containerNames(raw));
  }

  /** {@code dapr.io/env} as ordered name → value pairs. */
  public Map<String, String> env() {
    String raw = string(Annotation.ENV);
    return raw == null ? Map.of() : EnvAnnotation.parse(raw);
  }
}
