package io.daprx.manager.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector as kubectl sends it ({@code -l}): comma-separated requirements, each {@code k=v},
 * {@code k==v}, {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k} or {@code !k}, all of which must hold.
 */
final class LabelSelector {

  private static final String KEY = "([A-Za-z0-9][-A-Za-z0-9_./]*)";
  private static final Pattern SET = Pattern.compile(KEY + "\\s+(in|notin)\\s+\\(([^)]*)\\)");
  private static final Pattern EQ = Pattern.compile(KEY + "\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)");
  private static final Pattern EXISTS = Pattern.compile("(!?)" + KEY);

  private LabelSelector() {}

  /** Matches every label set when {@code selector} is null or blank; a malformed one is a 400 saying what is wrong. */
  static Predicate<Map<String, String>> parse(String selector) {
    Predicate<Map<String, String>> all = labels -> true;
    if (selector == null || selector.isBlank()) {
      return all;
    }
    for (String req : split(selector)) {
      String r = req.trim();
      Matcher m;
      if ((m = SET.matcher(r)).matches()) {
        String key = m.group(1);
        boolean in = m.group(2).equals("in");
        Set<String> values = Set.copyOf(List.of(m.group(3).trim().split("\\s*,\\s*")));
        all = all.and(labels -> in == (labels.containsKey(key) && values.contains(labels.get(key))));
      } else if ((m = EQ.matcher(r)).matches()) {
        String key = m.group(1);
        String value = m.group(3);
        boolean equal = !m.group(2).equals("!=");
        all = all.and(labels -> equal == value.equals(labels.get(key)));
      } else if ((m = EXISTS.matcher(r)).matches()) {
        String key = m.group(2);
        boolean present = m.group(1).isEmpty();
        all = all.and(labels -> present == labels.containsKey(key));
      } else {
        throw ApiException.badRequest("BadRequest", "unable to parse requirement \"" + r + "\" of the label selector \"" + selector
            + "\": use key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas");
      }
    }
    return all;
  }

  /** Commas separate requirements, except inside a set's parentheses. */
  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }
}
