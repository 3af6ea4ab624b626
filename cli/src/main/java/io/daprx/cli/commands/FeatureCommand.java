package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code daprx feature}: preview feature flags of the subscription, as {@code az feature}. */
@Command(name = "feature", mixinStandardHelpOptions = true, description = "Manage feature flags of the subscription.",
    subcommands = {FeatureCommand.Register.class, FeatureCommand.Unregister.class, FeatureCommand.ListFeatures.class, FeatureCommand.Show.class})
public final class FeatureCommand {

  abstract static class Named extends ClientCommand {
    @Option(names = "--namespace", required = true, description = "the resource provider namespace, e.g. Microsoft.ContainerService")
    String namespace;

    @Option(names = {"--name", "-n"}, required = true, description = "the feature name, e.g. AKS-Dapr")
    String name;

    String path(String suffix) {
      return subPath() + "/providers/Microsoft.Features/providers/" + namespace + "/features/" + name + suffix;
    }
  }

  /** Register and unregister differ only in their verb. */
  abstract static class Change extends Named implements Callable<Integer> {
    abstract String verb();

    @Override
    public Integer call() {
      JsonNode f = api().send("POST", path("/" + verb()), null, Map.of()).body();
      warn("Once the feature '" + name + "' is " + verb() + "ed, invoking 'daprx provider register -n " + namespace
          + "' is required to get the change propagated");
      print(f);
      return 0;
    }
  }

  @Command(name = "register", mixinStandardHelpOptions = true, description = "Register a feature; it is Registered after a short while.")
  static final class Register extends Change {
    @Override
    String verb() {
      return "register";
    }
  }

  @Command(name = "unregister", mixinStandardHelpOptions = true, description = "Unregister a feature.")
  static final class Unregister extends Change {
    @Override
    String verb() {
      return "unregister";
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a feature and its state.")
  static final class Show extends Named implements Callable<Integer> {
    @Override
    public Integer call() {
      print(api().get(path("")).body());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List features and their states.")
  static final class ListFeatures extends ClientCommand implements Callable<Integer> {
    @Option(names = "--namespace", description = "only the features of this resource provider namespace")
    String namespace;

    @Override
    public Integer call() {
      String path = namespace == null ? subPath() + "/providers/Microsoft.Features/features"
          : subPath() + "/providers/Microsoft.Features/providers/" + namespace + "/features";
      print(items(api().get(path).body()));
      return 0;
    }
  }
}
