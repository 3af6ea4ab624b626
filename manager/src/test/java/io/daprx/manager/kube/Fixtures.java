package io.daprx.manager.kube;

import io.daprx.manager.catalog.Release;
import io.daprx.manager.catalog.Semver;
import io.daprx.manager.model.DaprSettings;
import io.daprx.common.trust.RawBundle;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Rendering inputs and look-ups shared by the manifest tests. */
final class Fixtures {

  static final String NS = "dapr-system";
  static final String VERSION = "0.3.1";
  static final String DAPR_VERSION = "1.17.4";
  static final Release RELEASE = new Release(Semver.parse(VERSION), VERSION, DAPR_VERSION);
  static final String ROOT_PEM = "-----BEGIN CERTIFICATE-----\nUk9PVA==\n-----END CERTIFICATE-----\n";
  static final String ISSUER_PEM = "-----BEGIN CERTIFICATE-----\nSVNTVUVS\n-----END CERTIFICATE-----\n";
  static final String KEY_PEM = "-----BEGIN EC PRIVATE KEY-----\nU0VDUkVULUtFWQ==\n-----END EC PRIVATE KEY-----\n";
  static final RawBundle BUNDLE = new RawBundle(ROOT_PEM, ISSUER_PEM, KEY_PEM);

  private Fixtures() {}

  static InstallSpec spec(Map<String, String> settings) {
    return spec(settings, null);
  }

  static InstallSpec spec(Map<String, String> settings, RawBundle bundle) {
    return new InstallSpec(NS, DaprSettings.parse(settings), RELEASE, bundle);
  }

  static List<HasMetadata> render(Map<String, String> settings) {
    return ControlPlaneManifests.render(spec(settings), CrdSource.none());
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T extends HasMetadata> Optional<T> find(List<HasMetadata> objects, Class<T> type, String name) {
    return all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  static <T extends HasMetadata> T get(List<HasMetadata> objects, Class<T> type, String name) {
    return find(objects, type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  /** Pod specs of every workload, keyed by workload name. */
  static Map<String, PodSpec> podSpecs(List<HasMetadata> objects) {
    Map<String, PodSpec> out = new java.util.LinkedHashMap<>();
    all(objects, Deployment.class).forEach(d -> out.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()));
    all(objects, StatefulSet.class).forEach(s -> out.put(s.getMetadata().getName(), s.getSpec().getTemplate().getSpec()));
    return out;
  }

  static List<String> args(List<HasMetadata> objects, String workload) {
    return podSpecs(objects).get(workload).getContainers().get(0).getArgs();
  }

  /** The value following {@code flag} in an argument list. */
  static String flag(List<String> args, String flag) {
    int i = args.indexOf(flag);
    if (i < 0 || i + 1 >= args.size()) {
      throw new AssertionError("no " + flag + " in " + args);
    }
    return args.get(i + 1);
  }
}
