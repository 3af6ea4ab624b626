package io.daprx.manager.api;

import java.util.function.Supplier;

/**
 * RFC 7232 entity-tags at the API's edge: the store's tags are bare, the wire's are quoted; an {@code If-Match} header
 * (one tag, a list, or {@code *}) becomes the one store tag the services compare against.
 */
final class EntityTags {

  /** Never the store's tag: a condition no resource meets. */
  private static final String NO_MATCH = "\u0000no-match";

  private EntityTags() {}

  static String quote(String storeTag) {
    return "\"" + storeTag + "\"";
  }

  /**
   * The store tag an {@code If-Match} asks for: null without the header, {@code *} for any, the current tag when the
   * header lists it (strong comparison: a weak tag never matches), otherwise a tag that matches nothing.
   *
   * @param current the resource's store tag now, or null when there is none
   */
  static String ifMatch(String header, Supplier<String> current) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (h.equals("*")) {
      return "*";
    }
    String now = current.get();
    int i = 0;
    while (i < h.length()) {
      char c = h.charAt(i);
      if (c == ',' || c == ' ' || c == '\t') {
        i++;
        continue;
      }
      boolean weak = h.startsWith("W/", i);
      int open = weak ? i + 2 : i;
      if (open >= h.length() || h.charAt(open) != '"') {
        return NO_MATCH; // not an entity-tag: a malformed condition is never met
      }
      int close = h.indexOf('"', open + 1);
      if (close < 0) {
        return NO_MATCH;
      }
      if (!weak && now != null && h.substring(open + 1, close).equals(now)) {
        return now;
      }
      i = close + 1;
    }
    return NO_MATCH;
  }
}
