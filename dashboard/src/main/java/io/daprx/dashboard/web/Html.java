package io.daprx.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A small HTML writer: every text and attribute value goes through {@link #esc}, so nothing from a cluster is markup. */
public final class Html {

  private final StringBuilder sb = new StringBuilder(4096);

  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Text of a JSON value: strings as they are, null and missing as empty. */
  static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? "" : n.isValueNode() ? n.asText() : n.toString();
  }

  /** Markup written by this class itself (tags), never data. */
  Html raw(String markup) {
    sb.append(markup);
    return this;
  }

  Html text(String s) {
    sb.append(esc(s));
    return this;
  }

  /** {@code <tag attr="value">text</tag>}, attributes given as name, value pairs. */
  Html el(String tag, String text, String... attributes) {
    open(tag, attributes);
    sb.append(esc(text)).append("</").append(tag).append('>');
    return this;
  }

  Html open(String tag, String... attributes) {
    sb.append('<').append(tag);
    for (int i = 0; i + 1 < attributes.length; i += 2) {
      if (attributes[i + 1] != null) {
        sb.append(' ').append(attributes[i]).append("=\"").append(esc(attributes[i + 1])).append('"');
      }
    }
    sb.append('>');
    return this;
  }

  Html close(String tag) {
    sb.append("</").append(tag).append('>');
    return this;
  }

  /** A table head row. */
  Html head(List<String> columns) {
    open("thead").open("tr");
    columns.forEach(c -> el("th", c));
    return close("tr").close("thead");
  }

  /** A paragraph per problem a source reported, so the page says what it could not read. */
  Html problems(JsonNode problems) {
    if (problems != null && problems.isArray() && !problems.isEmpty()) {
      open("div", "class", "problems");
      problems.forEach(p -> el("p", p.asText()));
      close("div");
    }
    return this;
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
