package io.daprx.common.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The one way daprx reads YAML that a user or a neighbour wrote (resource files, {@code apply -f}, manifests): bounded
 * before and while parsing, so a huge or hostile file costs a clear error, never the heap or minutes of CPU.
 *
 * <p>Why each limit: SnakeYAML scans one long token (a scalar without spaces) in quadratic time — measured here, 1 M
 * characters take about a second, 2 M four seconds, 15 M minutes — and its code-point limit is only checked after such a
 * token is scanned. So the bytes are measured before any is parsed (and before a large file is read at all), and the
 * cap is low enough to bound that cost: 1 MiB, which is also about the largest object Kubernetes stores (etcd's 1.5 MiB)
 * while a Dapr resource is a few KiB. Nesting is capped so that walking a tree cannot overflow a component's small
 * thread stack. Jackson's YAML parser never expands aliases (it reads {@code *a} as the anchor's
 * name), so there is no alias bomb; SnakeYAML's alias limit is set low anyway, should that change.
 */
public final class BoundedYaml {

  /** The largest file (or stream) parsed: one resource or many, 1 MiB in all. */
  public static final int MAX_FILE_BYTES = 1024 * 1024;
  /** The largest document, in code points (SnakeYAML's own check, a second line behind {@link #MAX_FILE_BYTES}). */
  public static final int MAX_DOCUMENT_CODE_POINTS = MAX_FILE_BYTES;
  /** Deeper than any Dapr resource or Kubernetes manifest nests. */
  public static final int MAX_NESTING_DEPTH = 64;
  private static final int MAX_ALIASES = 10;

  private static final ObjectMapper MAPPER = new ObjectMapper(factory().build());
  private static final ObjectReader TREES = MAPPER.readerFor(JsonNode.class);

  private BoundedYaml() {}

  /** A YAML factory with the limits, for a mapper that also writes (add the generator's features). */
  public static YAMLFactoryBuilder factory() {
    LoaderOptions loader = new LoaderOptions();
    loader.setCodePointLimit(MAX_DOCUMENT_CODE_POINTS);
    loader.setNestingDepthLimit(MAX_NESTING_DEPTH);
    loader.setMaxAliasesForCollections(MAX_ALIASES);
    loader.setAllowRecursiveKeys(false);
    // from a factory's defaults, not the builder's: they differ (an empty document must read as null, as before)
    return new YAMLFactory().rebuild().loaderOptions(loader)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
  }

  /** YAML that does not parse, is too large, or nests too deep. The message never quotes the text (it may hold a secret). */
  public static final class Invalid extends IllegalArgumentException {
    private final int document;
    private final boolean tooLarge;

    Invalid(int document, boolean tooLarge, String message, Throwable cause) {
      super(message, cause);
      this.document = document;
      this.tooLarge = tooLarge;
    }

    /** The document (1-based) where reading stopped; 0 when the file as a whole was refused. */
    public int document() {
      return document;
    }

    /** Whether a size limit refused it (rather than its syntax). */
    public boolean tooLarge() {
      return tooLarge;
    }
  }

  /**
   * A file's bytes, refused before it is read when it is larger than {@link #MAX_FILE_BYTES} (or grows past it while
   * being read).
   *
   * @throws Invalid (too large) naming the file and the limit
   */
  public static byte[] readFile(Path file) throws IOException {
    String label = String.valueOf(file.getFileName());
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw fileTooLarge(label, size);
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, label);
    }
  }

  /** At most {@link #MAX_FILE_BYTES} of a stream (e.g. standard input); more is refused, not read. */
  public static byte[] read(InputStream in, String label) throws IOException {
    byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    if (bytes.length > MAX_FILE_BYTES) {
      throw fileTooLarge(label, -1);
    }
    return bytes;
  }

  /**
   * Every document of a YAML stream, in order; an empty document is a null node (so numbering stays the user's).
   *
   * @throws Invalid naming the document and what is wrong, with line and column when the syntax is
   */
  public static List<JsonNode> documents(byte[] content) {
    if (content.length > MAX_FILE_BYTES) {
      throw fileTooLarge("the YAML", content.length);
    }
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = TREES.readValues(content)) {
      while (docs.hasNextValue()) {
        out.add(docs.nextValue());
      }
    } catch (IOException | RuntimeException e) {
      int doc = out.size() + 1;
      boolean tooLarge = exceedsCodePoints(e);
      throw new Invalid(doc, tooLarge, tooLarge
          ? "document " + doc + " is larger than " + MAX_DOCUMENT_CODE_POINTS / (1024 * 1024) + " MiB, the limit of one resource;"
              + " keep large values (certificates, data) out of it, e.g. in a secret store"
          : "document " + doc + " is not valid YAML: " + describe(e), e);
    }
    return out;
  }

  /**
   * What the parser says is wrong and where, without the excerpt of the text that parsers add to their messages: a
   * line of a resource may hold a credential, and this text goes to logs and clients.
   */
  public static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StreamConstraintsException) {
        return "it nests deeper than " + MAX_NESTING_DEPTH + " levels";
      }
      if (t instanceof MarkedYAMLException m) {
        String where = m.getProblemMark() == null ? ""
            : " (line " + (m.getProblemMark().getLine() + 1) + ", column " + (m.getProblemMark().getColumn() + 1) + ")";
        String context = m.getContext() == null ? "" : m.getContext() + ": ";
        return context + m.getProblem() + where;
      }
    }
    String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (msg == null) {
      return e.getClass().getSimpleName();
    }
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }

  private static boolean exceedsCodePoints(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // SnakeYAML says "The incoming YAML document exceeds the limit: N code points."; it has no type of its own
      if (t instanceof YAMLException && String.valueOf(t.getMessage()).contains("exceeds the limit")) {
        return true;
      }
      if (String.valueOf(t.getMessage()).startsWith("The incoming YAML document exceeds the limit")) {
        return true;
      }
    }
    return false;
  }

  private static Invalid fileTooLarge(String label, long size) {
    String how = size < 0 ? "is larger than" : "is " + String.format(Locale.ROOT, "%,d", size) + " bytes, over";
    return new Invalid(0, true, label + " " + how + " " + MAX_FILE_BYTES / (1024 * 1024) + " MiB, the limit of a file of"
        + " resources; split it into smaller files, and keep large values (certificates, data) out of resources, e.g. in a"
        + " secret store", null);
  }
}
