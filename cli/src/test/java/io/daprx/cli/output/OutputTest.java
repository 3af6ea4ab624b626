package io.daprx.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected texts are what az itself prints: they were produced by running knack's own formatters (the code
 * behind {@code az -o}) with Python's jmespath on the same JSON.
 */
class OutputTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String FEATURES = """
      [{"id": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/AKS-Dapr",
        "name": "Microsoft.ContainerService/AKS-Dapr", "properties": {"state": "Registered"},
        "type": "Microsoft.Features/providers/features"},
       {"id": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/AKS-ExtensionManager",
        "name": "Microsoft.ContainerService/AKS-ExtensionManager", "properties": {"state": "Registering"},
        "type": "Microsoft.Features/providers/features"},
       {"id": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Features/providers/Microsoft.KubernetesConfiguration/features/Extensions",
        "name": "Microsoft.KubernetesConfiguration/Extensions", "properties": {"state": "NotRegistered"},
        "type": "Microsoft.Features/providers/features"}]
      """;

  private static final String EXTENSIONS = """
      [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1/providers/Microsoft.KubernetesConfiguration/extensions/dapr",
        "name": "dapr", "type": "Microsoft.KubernetesConfiguration/extensions",
        "properties": {"extensionType": "Microsoft.Dapr", "autoUpgradeMinorVersion": true, "releaseTrain": "Stable",
          "version": null, "currentVersion": "1.12.0", "provisioningState": "Succeeded", "isSystemExtension": false,
          "scope": {"cluster": {"releaseNamespace": "dapr-system"}},
          "configurationSettings": {"global.ha.enabled": "true", "global.ha.replicaCount": "3"}, "statuses": []},
        "systemData": {"createdAt": "2024-05-01T10:00:00Z", "lastModifiedAt": "2024-05-02T11:30:00Z"}}]
      """;

  /** The columns az's k8s-extension table transformer shows. */
  private static final List<Output.Column> EXTENSION_COLUMNS = TableColumns.of(
      "Name", "name",
      "ExtensionType", "properties.extensionType",
      "Version", "properties.version",
      "ProvisioningState", "properties.provisioningState",
      "LastModifiedAt", "systemData.lastModifiedAt",
      "IsSystemExtension", "properties.isSystemExtension");

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String render(String input, OutputFormat format, String query) {
    return Output.render(json(input), format, query, false);
  }

  @Test
  void extensionDocExampleByteForByte() {
    String query = "[?contains(name, 'Microsoft.ContainerService/AKS-Dapr')].{Name:name,State:properties.state}";

    assertThat(render(FEATURES, OutputFormat.TABLE, query)).isEqualTo("""
        Name                                 State
        -----------------------------------  ----------
        Microsoft.ContainerService/AKS-Dapr  Registered
        """);
  }

  @Test
  void queryKeepsItsKeysInOrderInTableButJsonSortsThem() {
    String query = "[?starts_with(name, 'Microsoft.ContainerService/')].{State:properties.state, Name:name}";

    assertThat(render(FEATURES, OutputFormat.TABLE, query)).isEqualTo("""
        State        Name
        -----------  -----------------------------------------------
        Registered   Microsoft.ContainerService/AKS-Dapr
        Registering  Microsoft.ContainerService/AKS-ExtensionManager
        """);
    assertThat(render(FEATURES, OutputFormat.JSON, query + " | [0]")).isEqualTo("""
        {
          "Name": "Microsoft.ContainerService/AKS-Dapr",
          "State": "Registered"
        }
        """);
  }

  @Test
  void jmespathFunctionsAzUsersRelyOn() {
    assertThat(render(FEATURES, OutputFormat.TSV, "length([?properties.state=='Registered'])")).isEqualTo("1\n");
    assertThat(render(FEATURES, OutputFormat.TSV, "sort_by(@, &properties.state)[].name")).isEqualTo("""
        Microsoft.KubernetesConfiguration/Extensions
        Microsoft.ContainerService/AKS-Dapr
        Microsoft.ContainerService/AKS-ExtensionManager
        """);
    assertThat(render(FEATURES, OutputFormat.TSV, "[?starts_with(name, 'Microsoft.K')].properties.state"))
        .isEqualTo("NotRegistered\n");
    assertThat(render("\"\uD83D\uDE00 smile\"", OutputFormat.TSV, "length(@)"))
        .as("Python counts characters, not UTF-16 units").isEqualTo("7\n");
  }

  @Test
  void jsonIsPrettyPrintedLikeAz() {
    String input = """
        {"name": "dapr", "replicas": 3, "ratio": 0.5, "big": 1e20, "tags": [], "settings": {}, "ha": true,
         "version": null, "list": [1, "x"], "Upper": "é\\t\\u0001"}""";

    assertThat(render(input, OutputFormat.JSON, null)).isEqualTo("""
        {
          "Upper": "é\\t\\u0001",
          "big": 1e+20,
          "ha": true,
          "list": [
            1,
            "x"
          ],
          "name": "dapr",
          "ratio": 0.5,
          "replicas": 3,
          "settings": {},
          "tags": [],
          "version": null
        }
        """);
    assertThat(render("\"Registered\"", OutputFormat.JSON, null)).isEqualTo("\"Registered\"\n");
  }

  @Test
  void jsonNestsAsAzDoesAndCutsColouredStringsAtPythonsLineBoundaries() {
    assertThat(render("{\"a\": {\"b\": [{\"c\": 1.0, \"d\": [[]]}]}, \"\u00e9\": \"\u2028\"}", OutputFormat.JSON, null)).isEqualTo("""
        {
          "a": {
            "b": [
              {
                "c": 1.0,
                "d": [
                  []
                ]
              }
            ]
          },
          "\u00e9": "\u2028"
        }
        """);
    String end = "\u001b[39;49;00m";
    assertThat(Output.render(json("[\"x\u2028y\"]"), OutputFormat.JSONC, null, true))
        .contains("\u001b[33m\"x\u2028" + end + "\u001b[33my\"" + end);
  }

  @Test
  void jsoncIsColouredOnlyWhenAsked() {
    String input = "{\"name\": \"dapr\", \"replicas\": 3, \"ha\": true, \"version\": null, \"tags\": []}";
    String ws = "\u001b[37m";
    String end = "\u001b[39;49;00m";
    String key = "\u001b[94m";
    String string = "\u001b[33m";
    String literal = "\u001b[34m";
    String expected = "{" + ws + end + "\n"
        + ws + "  " + end + key + "\"ha\"" + end + ":" + ws + " " + end + literal + "true" + end + "," + ws + end + "\n"
        + ws + "  " + end + key + "\"name\"" + end + ":" + ws + " " + end + string + "\"dapr\"" + end + "," + ws + end
        + "\n"
        + ws + "  " + end + key + "\"replicas\"" + end + ":" + ws + " " + end + literal + "3" + end + "," + ws + end
        + "\n"
        + ws + "  " + end + key + "\"tags\"" + end + ":" + ws + " " + end + "[]," + ws + end + "\n"
        + ws + "  " + end + key + "\"version\"" + end + ":" + ws + " " + end + literal + "null" + end + ws + end
        + "\n"
        + "}" + ws + end + "\n";

    assertThat(Output.render(json(input), OutputFormat.JSONC, null, true)).isEqualTo(expected);
    assertThat(Output.render(json(input), OutputFormat.JSONC, null, false))
        .isEqualTo(Output.render(json(input), OutputFormat.JSON, null, true))
        .doesNotContain("\u001b");
  }

  @Test
  void yamlLikeAz() {
    assertThat(render(EXTENSIONS, OutputFormat.YAML, null)).isEqualTo("""
        - id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1/providers/Microsoft.KubernetesConfiguration/extensions/dapr
          name: dapr
          properties:
            autoUpgradeMinorVersion: true
            configurationSettings:
              global.ha.enabled: 'true'
              global.ha.replicaCount: '3'
            currentVersion: 1.12.0
            extensionType: Microsoft.Dapr
            isSystemExtension: false
            provisioningState: Succeeded
            releaseTrain: Stable
            scope:
              cluster:
                releaseNamespace: dapr-system
            statuses: []
            version: null
          systemData:
            createdAt: '2024-05-01T10:00:00Z'
            lastModifiedAt: '2024-05-02T11:30:00Z'
          type: Microsoft.KubernetesConfiguration/extensions
        """);
  }

  @Test
  void yamlQuotesWhatWouldNotReadBackAsTheSameStringAndFoldsLongText() {
    String input = """
        {"v": "1.12", "b": "true", "e": "", "s": "it's", "n": "a\\nb", "long": "%s"}"""
        .formatted("word ".repeat(20).trim());

    assertThat(render(input, OutputFormat.YAML, null)).isEqualTo("""
        b: 'true'
        e: ''
        long: word word word word word word word word word word word word word word word word
          word word word word
        n: 'a

          b'
        s: it's
        v: '1.12'
        """);
    assertThat(render("\"Registered\"", OutputFormat.YAML, null)).isEqualTo("Registered\n...\n");
  }

  @Test
  void yamlSpellsNumbersNullsAndTimesAsPyYaml() {
    assertThat(render("{\"t\": \"2024-01-01T00:00:00Z\", \"f\": 1e-05, \"g\": 100.0, \"i\": 3, \"n\": null, \"on\": \"on\"}",
        OutputFormat.YAML, null)).isEqualTo("""
        f: 1.0e-05
        g: 100.0
        i: 3
        n: null
        'on': 'on'
        t: '2024-01-01T00:00:00Z'
        """);
    assertThat(render("[\"1.12\"]", OutputFormat.YAML, "[0]")).isEqualTo("'1.12'\n");
  }

  @Test
  void tableWithoutQueryShowsSortedScalarFieldsWithCapitalisedHeaders() {
    String input = """
        [{"name": "dapr", "type": "t", "id": "/x", "isSystemExtension": false, "replicas": 3,
          "properties": {"state": "Registered"}, "statuses": [], "version": null},
         {"name": "other", "isSystemExtension": true, "replicas": 1, "version": "1.12.0"}]""";

    assertThat(render(input, OutputFormat.TABLE, null)).isEqualTo("""
        IsSystemExtension    Name    Replicas    Version
        -------------------  ------  ----------  ---------
        False                dapr    3
        True                 other   1           1.12.0
        """);
    assertThat(render(FEATURES, OutputFormat.TABLE, null)).isEqualTo("""
        Name
        -----------------------------------------------
        Microsoft.ContainerService/AKS-Dapr
        Microsoft.ContainerService/AKS-ExtensionManager
        Microsoft.KubernetesConfiguration/Extensions
        """);
  }

  @Test
  void oneObjectIsAOneRowTable() {
    assertThat(render("{\"name\": \"dapr\", \"state\": \"Succeeded\"}", OutputFormat.TABLE, null)).isEqualTo("""
        Name    State
        ------  ---------
        dapr    Succeeded
        """);
  }

  @Test
  void defaultColumnsReachIntoTheJsonWhenNoQueryIsGiven() {
    // Version is null, so the column goes, as in az.
    assertThat(Output.render(json(EXTENSIONS), OutputFormat.TABLE, null, false, EXTENSION_COLUMNS)).isEqualTo("""
        Name    ExtensionType    ProvisioningState    LastModifiedAt        IsSystemExtension
        ------  ---------------  -------------------  --------------------  -------------------
        dapr    Microsoft.Dapr   Succeeded            2024-05-02T11:30:00Z  False
        """);
    assertThat(Output.render(json(EXTENSIONS), OutputFormat.TABLE, "[].{Name:name}", false, EXTENSION_COLUMNS))
        .as("a query replaces the command's columns").isEqualTo("""
        Name
        ------
        dapr
        """);
  }

  @Test
  void tsvPrintsEveryFieldSoColumnsLineUp() {
    assertThat(Output.render(json(EXTENSIONS), OutputFormat.TSV, null, false, EXTENSION_COLUMNS))
        .as("sorted keys; objects print empty; the command's table columns do not apply")
        .isEqualTo("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1/providers/"
            + "Microsoft.KubernetesConfiguration/extensions/dapr\tdapr\t\t\tMicrosoft.KubernetesConfiguration/extensions\n");
    assertThat(render(EXTENSIONS, OutputFormat.TSV, "[].{Name:name, State:properties.provisioningState, "
        + "System:properties.isSystemExtension, Version:properties.version, Statuses:properties.statuses}"))
        .as("query order; a list prints its length; null prints None")
        .isEqualTo("dapr\tSucceeded\tFalse\tNone\t0\n");
    assertThat(render(EXTENSIONS, OutputFormat.TSV, "[0].properties.autoUpgradeMinorVersion")).isEqualTo("true\n");
  }

  @Test
  void listOfScalarsIsAResultColumn() {
    assertThat(render(FEATURES, OutputFormat.TABLE, "[].properties.state")).isEqualTo("""
        Result
        -------------
        Registered
        Registering
        NotRegistered
        """);
    assertThat(render(FEATURES, OutputFormat.TSV, "[].properties.state")).isEqualTo("""
        Registered
        Registering
        NotRegistered
        """);
  }

  @Test
  void scalarIsAOneCellResultTable() {
    assertThat(render(FEATURES, OutputFormat.TABLE, "[0].properties.state")).isEqualTo("""
        Result
        ----------
        Registered
        """);
    assertThat(render("true", OutputFormat.TABLE, null)).isEqualTo("""
        Result
        --------
        True
        """);
    assertThat(render(FEATURES, OutputFormat.TSV, "[0].properties.state")).isEqualTo("Registered\n");
  }

  @Test
  void listsOfListsNumberTheirColumns() {
    assertThat(render(FEATURES, OutputFormat.TABLE, "[:2].[name, properties.state]")).isEqualTo("""
        Column1                                          Column2
        -----------------------------------------------  -----------
        Microsoft.ContainerService/AKS-Dapr              Registered
        Microsoft.ContainerService/AKS-ExtensionManager  Registering
        """);
  }

  @Test
  void emptyResults() {
    // a table with no rows prints nothing, as tsv does (az prints one empty line there: knack returns "" + "\n")
    assertThat(render("[]", OutputFormat.TABLE, null)).isEmpty();
    assertThat(render("[]", OutputFormat.TSV, null)).isEmpty();
    assertThat(render(FEATURES, OutputFormat.TABLE, "[?name=='nope']")).isEmpty();
    assertThat(render(FEATURES, OutputFormat.TSV, "[?name=='nope']")).isEmpty();
    assertThat(render("[]", OutputFormat.JSON, null)).isEqualTo("[]\n");
    assertThat(render("[]", OutputFormat.YAML, null)).isEqualTo("[]\n");
  }

  @Test
  void nothingSelectedPrintsNothingInAnyFormat() {
    for (OutputFormat f : OutputFormat.values()) {
      assertThat(render(FEATURES, f, "[0].nope")).as(f.cliName()).isEmpty();
      assertThat(Output.render(null, f, null, true)).as(f.cliName()).isEmpty();
    }
    assertThat(render(FEATURES, OutputFormat.NONE, null)).isEmpty();
  }

  @Test
  void badQueryIsRejectedWithAzWording() {
    assertThatThrownBy(() -> render(FEATURES, OutputFormat.JSON, "[?name=='x'"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("argument --query: invalid jmespath_type value: \"[?name=='x'\"");
    assertThatThrownBy(() -> Output.checkQuery("[].{Name:name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("argument --query: invalid jmespath_type value: '[].{Name:name'");
    assertThatThrownBy(() -> render(FEATURES, OutputFormat.NONE, "["))
        .as("the query is still checked when nothing is printed")
        .hasMessage("argument --query: invalid jmespath_type value: '['");
    Output.checkQuery(null);
  }

  @Test
  void queryThatFailsOnTheDataUsesAzRuntimeWording() {
    assertThatThrownBy(() -> render(FEATURES, OutputFormat.JSON, "length(nope)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid jmespath query supplied for `--query`: ");
    // Python's jmespath only finds unknown functions while searching, so az lets them through argument parsing.
    Output.checkQuery("foo(@)");
    assertThatThrownBy(() -> render(FEATURES, OutputFormat.JSON, "foo(@)"))
        .hasMessage("Invalid jmespath query supplied for `--query`: Unknown function: foo()");
    assertThatThrownBy(() -> render(FEATURES, OutputFormat.JSON, "length(@, @)"))
        .hasMessage("Invalid jmespath query supplied for `--query`: "
            + "Expected 1 argument for function length(), received 2");
  }

  @Test
  void printWritesTheRenderedText() {
    StringWriter out = new StringWriter();
    Output.print(new PrintWriter(out), json(FEATURES), OutputFormat.TSV, "[0].name", false);
    assertThat(out).hasToString("Microsoft.ContainerService/AKS-Dapr\n");
  }

  @Test
  void outputFormatParsesAzNames() {
    assertThat(OutputFormat.parse("jsonc")).isEqualTo(OutputFormat.JSONC);
    assertThat(OutputFormat.parse("TABLE")).as("az lower-cases the value first").isEqualTo(OutputFormat.TABLE);
    assertThatThrownBy(() -> OutputFormat.parse("xml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'xml' is not a valid value for '--output'. Allowed values: json, jsonc, yaml, table, tsv, none.");
  }

  @Test
  void pythonNumberText() {
    assertThat(Py.floatRepr(1e16)).isEqualTo("1e+16");
    assertThat(Py.floatRepr(1e15)).isEqualTo("1000000000000000.0");
    assertThat(Py.floatRepr(0.0001)).isEqualTo("0.0001");
    assertThat(Py.floatRepr(0.00001)).isEqualTo("1e-05");
    assertThat(Py.floatRepr(-2.5e-7)).isEqualTo("-2.5e-07");
    assertThat(Py.floatRepr(100.0)).isEqualTo("100.0");
    assertThat(Py.floatRepr(1.0 / 3)).isEqualTo("0.3333333333333333");
  }
}
