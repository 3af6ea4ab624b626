package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * az's {@code yaml}: {@code yaml.safe_dump(result, default_flow_style=False, allow_unicode=True)}, emitted by SnakeYAML,
 * the Java port of PyYAML's emitter, with PyYAML's options: block style, sorted keys, its choice between plain, single-
 * and double-quoted scalars, and its folding of long scalars at 80 columns. Scripts that read az's YAML rely on those
 * (a version {@code '1.12'} or a time {@code '2024-01-01T00:00:00Z'} must stay quoted to stay a string). What is ours:
 * the JSON turned into Python's values first — keys in Python's order, floats spelled as Python's {@code repr}.
 */
final class YamlText {

  private static final java.util.regex.Pattern LINE_BREAK = java.util.regex.Pattern.compile("[\r\n\u0085\u2028\u2029]");

  private YamlText() {}

  /** A JSON float, which PyYAML writes as {@code repr(value).lower()} with {@code .0} before an exponent, as Python reads floats. */
  private record PyFloat(double value) {}

  /**
   * PyYAML's representers where SnakeYAML's differ: floats, and strings, which PyYAML leaves to the emitter's choice of
   * style (a multi-line one comes out single-quoted) where SnakeYAML picks the literal block style (and base64 for text
   * with control characters, which PyYAML double-quotes with escapes).
   */
  private static final class PyRepresenter extends Representer {
    PyRepresenter(DumperOptions options) {
      super(options);
      this.representers.put(PyFloat.class, data -> representScalar(Tag.FLOAT, floatText(((PyFloat) data).value())));
      // PyYAML never writes a line break in a plain scalar, SnakeYAML's analysis lets one through: such text asks for
      // single quotes, which the emitter turns into double quotes where PyYAML's would
      this.representers.put(String.class, data -> representScalar(Tag.STR, (String) data, LINE_BREAK.matcher((String) data).find()
          ? DumperOptions.ScalarStyle.SINGLE_QUOTED : DumperOptions.ScalarStyle.PLAIN));
    }
  }

  static String render(JsonNode value) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setAllowUnicode(true);
    options.setWidth(80);
    options.setIndent(2);
    String text = new Yaml(new PyRepresenter(options), options).dump(python(value));
    // PyYAML ends a document whose root is a plain scalar with "..." (its open_ended); SnakeYAML does not
    boolean plainRoot = !value.isContainerNode() && !text.startsWith("'") && !text.startsWith("\"");
    return plainRoot ? text + "...\n" : text;
  }

  /** The value {@code json.loads} would have made of this JSON, maps in the order PyYAML sorts their keys. */
  private static Object python(JsonNode v) {
    if (v.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      Py.sortedFields(v).forEach(e -> m.put(e.getKey(), python(e.getValue())));
      return m;
    }
    if (v.isArray()) {
      List<Object> l = new ArrayList<>();
      v.forEach(item -> l.add(python(item)));
      return l;
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber()) {
      return v.bigIntegerValue();
    }
    if (v.isNumber()) {
      return new PyFloat(v.doubleValue());
    }
    return null;
  }

  private static String floatText(double d) {
    if (Double.isNaN(d)) {
      return ".nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? ".inf" : "-.inf";
    }
    String text = Py.floatRepr(d).toLowerCase(java.util.Locale.ROOT);
    return !text.contains(".") && text.contains("e") ? text.replaceFirst("e", ".0e") : text;
  }
}
