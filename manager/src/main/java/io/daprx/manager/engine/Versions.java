package io.daprx.manager.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of the build this server runs from: local clusters run it without a download, and the built-in
 * catalog offers it. Other versions come from the catalog ({@code io.daprx.manager.catalog}).
 */
public final class Versions {

  public static final String CURRENT = load();

  private Versions() {}

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
