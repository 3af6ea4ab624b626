package io.daprx.manager.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads, without initialising, every class a recorded class list names, then exits: run by {@link ClassArchives} with
 * {@code -XX:ArchiveClassesAtExit} on top of the shared base archive, so that the JVM writes a component's own layer (the
 * classes of its list that the base does not hold) as it exits. Nothing of a component runs: no static initialiser, no
 * thread, no port; a class that cannot be loaded here (an optional dependency that is absent) is left out of the layer,
 * and its component loads it from the jar, as without an archive.
 *
 * <p>Usage: {@code java -XX:SharedArchiveFile=BASE -XX:ArchiveClassesAtExit=LAYER -cp daprx.jar
 * io.daprx.manager.deploy.ClassPreloader LIST}; prints how many classes it loaded and how many it could not.
 */
public final class ClassPreloader {

  private ClassPreloader() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ClassPreloader CLASS_LIST (a -XX:DumpLoadedClassList file)");
      System.exit(2);
    }
    int[] counts = load(Path.of(args[0]));
    System.out.println("loaded " + counts[0] + " classes; " + counts[1] + " could not be loaded");
  }

  /** Loads every class the list names with the application class loader; returns {loaded, failed}. */
  static int[] load(Path list) throws IOException {
    ClassLoader app = ClassLoader.getSystemClassLoader();
    int loaded = 0;
    int failed = 0;
    for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
      String name = className(line);
      if (name == null) {
        continue;
      }
      try {
        Class.forName(name, false, app);
        loaded++;
      } catch (ClassNotFoundException | LinkageError e) {
        failed++;
      }
    }
    return new int[] {loaded, failed};
  }

  /**
   * The binary name a class-list line names, or null for a line that names none: comments, the JVM's {@code @} lines
   * (lambda proxies, method handles' invokers), and classes of other loaders (they carry a {@code source:}), which the
   * application class loader cannot define.
   */
  static String className(String line) {
    String l = line.strip();
    if (l.isEmpty() || l.startsWith("#") || l.startsWith("@") || l.contains(" source:")) {
      return null;
    }
    int space = l.indexOf(' ');
    return (space < 0 ? l : l.substring(0, space)).replace('/', '.');
  }
}
