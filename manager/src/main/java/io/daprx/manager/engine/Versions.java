package io.daprx.manager.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/**
 * The control-plane versions this server can install. Until the release-train catalog lands, that is the
 * one build it runs from (each daprx version speaks the wire protocols of Dapr 1.17/1.18).
 */
public final class Versions {

  public static final String CURRENT = load();

  private Versions() {}

  public static List<String> available() {
    return List.of(CURRENT);
  }

  private static String load() {
    try (InputStream in = Versions.class.getResourceAsStream("/daprx-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "0.0.0").replace("-SNAPSHOT", "");
    } catch (IOException e) {
      return "0.0.0";
    }
  }
}
