package io.daprx.manager.deploy;

/**
 * The main class of the jar {@link ClassArchivesTest} archives: loads a few JDK classes, as any component does; with
 * {@code load NAME}, also the native library NAME as Netty or RocksDB load theirs, and prints where it was mapped from;
 * with {@code class NAME}, also the class NAME, as a component loads classes another does not.
 */
public final class ClassArchivesProbe {

  private ClassArchivesProbe() {}

  public static void main(String[] args) throws java.io.IOException {
    java.util.List<String> words = new java.util.ArrayList<>(java.util.List.of("probe", "ran"));
    Runnable r = () -> System.out.println(String.join(" ", words));
    r.run();
    if (args.length == 2 && args[0].equals("class")) {
      try {
        Class.forName(args[1]);
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException(e);
      }
    }
    if (args.length == 2 && args[0].equals("load")) {
      System.loadLibrary(args[1]);
      String file = System.mapLibraryName(args[1]);
      java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
          .filter(l -> l.endsWith("/" + file)).map(l -> "mapped " + l.substring(l.indexOf('/'))).distinct()
          .forEach(System.out::println);
    }
  }
}
