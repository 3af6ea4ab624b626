package io.daprx.manager.deploy;

/** The main class of the jar {@link ClassArchivesTest} archives: loads a few JDK classes, as any component does. */
public final class ClassArchivesProbe {

  private ClassArchivesProbe() {}

  public static void main(String[] args) {
    java.util.List<String> words = new java.util.ArrayList<>(java.util.List.of("probe", "ran"));
    Runnable r = () -> System.out.println(String.join(" ", words));
    r.run();
  }
}
