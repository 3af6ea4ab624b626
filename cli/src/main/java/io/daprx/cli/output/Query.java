package io.daprx.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.burt.jmespath.Expression;
import io.burt.jmespath.JmesPathException;
import io.burt.jmespath.jackson.JacksonRuntime;
import io.burt.jmespath.Adapter;
import io.burt.jmespath.JmesPathType;
import io.burt.jmespath.RuntimeConfiguration;
import io.burt.jmespath.function.ArgumentConstraints;
import io.burt.jmespath.function.BaseFunction;
import io.burt.jmespath.function.FunctionArgument;
import io.burt.jmespath.function.FunctionRegistry;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --query}: a JMESPath expression, with az's wording when it cannot be read or cannot be applied. */
final class Query {

  /** Stateless and thread-safe; compiling is the only cost worth sharing. */
  static final JacksonRuntime RUNTIME = new JacksonRuntime(RuntimeConfiguration.builder()
      .withFunctionRegistry(FunctionRegistry.defaultRegistry().extend(new Length()))
      .build());

  private static final String RUNTIME_ERROR = "Invalid jmespath query supplied for `--query`: ";
  private static final Pattern UNKNOWN_FUNCTION = Pattern.compile("unknown function \"([^\"]*)\"");
  private static final Pattern ARITY =
      Pattern.compile("invalid arity calling \"([^\"]*)\" \\(expected (at least )?(\\d+) but was (\\d+)\\)");

  private Query() {}

  static Expression<JsonNode> compile(String query) {
    try {
      return RUNTIME.compile(query);
    } catch (JmesPathException | IllegalStateException | IllegalArgumentException e) {
      String functionError = functionError(String.valueOf(e.getMessage()));
      if (functionError != null) {
        // Python's jmespath checks functions only while searching, so in az these pass argument parsing and
        // fail with the runtime wording.
        return input -> {
          throw new IllegalArgumentException(RUNTIME_ERROR + functionError, e);
        };
      }
      // argparse's wording for a type= converter that raised ValueError; %r of the text.
      throw new IllegalArgumentException("argument --query: invalid jmespath_type value: " + Py.repr(query), e);
    }
  }

  static JsonNode search(Expression<JsonNode> expression, JsonNode input) {
    try {
      return expression.search(input == null ? RUNTIME.createNull() : input);
    } catch (JmesPathException | IllegalStateException | ClassCastException e) {
      throw new IllegalArgumentException(RUNTIME_ERROR + e.getMessage(), e);
    }
  }

  /** Python jmespath's messages for a call to an unknown function or with the wrong number of arguments. */
  private static String functionError(String message) {
    Matcher m = UNKNOWN_FUNCTION.matcher(message);
    if (m.find()) {
      return "Unknown function: " + m.group(1) + "()";
    }
    m = ARITY.matcher(message);
    if (m.find()) {
      int expected = Integer.parseInt(m.group(3));
      return "Expected " + (m.group(2) == null ? "" : "at least ") + expected + " argument" + (expected == 1 ? "" : "s")
          + " for function " + m.group(1) + "(), received " + m.group(4);
    }
    return null;
  }

  /** {@code length()} counting characters as Python does (code points); the library counts UTF-16 units. */
  private static final class Length extends BaseFunction {
    Length() {
      super("length", ArgumentConstraints.typeOf(JmesPathType.STRING, JmesPathType.ARRAY, JmesPathType.OBJECT));
    }

    @Override
    protected <T> T callFunction(Adapter<T> runtime, List<FunctionArgument<T>> arguments) {
      T value = arguments.get(0).value();
      if (runtime.typeOf(value) == JmesPathType.STRING) {
        String s = runtime.toString(value);
        return runtime.createNumber((long) s.codePointCount(0, s.length()));
      }
      return runtime.createNumber((long) runtime.toList(value).size());
    }
  }
}
