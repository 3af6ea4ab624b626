package io.daprx.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps secret values out of everything the dashboard shows. A Dapr resource names its settings as
 * {@code {name, value}} or {@code {name, secretKeyRef}} pairs (component metadata, HTTPEndpoint headers): a
 * {@code secretKeyRef} is a reference and stays, an inline {@code value} is masked unless its name is one known to be
 * harmless. Secret names cannot be listed (passphrase, pwd, sasl, a header...), harmless ones can: an allow-list fails
 * closed. Any URL's userinfo ({@code redis://user:password@host}) is masked wherever it appears. The
 * {@code last-applied-configuration} annotation (a copy of the whole object, inline values included) is masked too.
 */
public final class Redaction {

  public static final String MASK = "••••••";
  /**
   * Setting names whose values are addresses, names or tuning, never credentials (lower case). Common Dapr
   * component metadata; anything else is masked.
   */
  static final Set<String> HARMLESS = Set.of(
      "host", "hosts", "redishost", "port", "redisdb", "db", "database", "databasename", "dbname", "schema", "schemaname",
      "table", "tablename", "metadatatablename", "collection", "collectionname", "container", "containername", "bucket",
      "keyprefix", "actorstatestore", "outboxpublishpubsub", "outboxpublishtopic", "consumergroup", "consumerid", "clientid",
      "brokers", "topic", "topics", "queuename", "queue", "exchangekind", "routingkey", "region", "endpoint", "url", "baseurl",
      "namespace", "namespacename", "accountname", "storageaccount", "version", "authtype", "protocol", "enabletls",
      "disabletls", "skipverify", "maxretries", "maxretrybackoff", "timeout", "timeoutinsec", "ttlinseconds", "idletimeout",
      "dialtimeout", "readtimeout", "writetimeout", "poolsize", "maxconns", "maxlen", "maxlenapprox", "redistype",
      "partitionkey", "partitioncount", "initialoffset", "durable", "deletedwhenunused", "autodelete", "concurrencymode",
      "processingtimeout", "redeliverinterval", "queuedepth", "concurrency", "cleanupintervalinseconds", "direction",
      "route", "schedule", "failover", "sentinelmastername", "useentraid", "azureenvironment", "decodebase64",
      "encodebase64", "contenttype", "mode", "replicas", "replicaset");
  // scheme://userinfo@ — the userinfo is whatever comes before the first '@' of the authority
  private static final Pattern URL_USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s?#]+@");
  private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private Redaction() {}

  /** Whether an inline value of a setting of this name is masked: every name but the known harmless ones. */
  public static boolean looksSecret(String name) {
    return name != null && !HARMLESS.contains(name.toLowerCase(Locale.ROOT));
  }

  /** {@code text} with the userinfo of every URL in it masked. */
  public static String maskUserinfo(String text) {
    return URL_USERINFO.matcher(text).replaceAll("$1" + MASK + "@");
  }

  /** A deep copy of {@code resource} with every secret value masked and the server's bookkeeping dropped. */
  public static JsonNode redact(JsonNode resource) {
    JsonNode copy = resource.deepCopy();
    if (copy.path("metadata") instanceof ObjectNode meta) {
      meta.remove("managedFields");
      if (meta.path("annotations") instanceof ObjectNode annotations && annotations.has(LAST_APPLIED)) {
        annotations.put(LAST_APPLIED, MASK);
      }
    }
    walk(copy);
    return copy;
  }

  private static void walk(JsonNode node) {
    if (node instanceof ObjectNode o) {
      JsonNode name = o.get("name");
      if (name != null && name.isTextual() && o.has("value") && !o.get("value").isNull() && looksSecret(name.asText())) {
        o.put("value", MASK);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isTextual()) {
          field.setValue(TextNode.valueOf(maskUserinfo(field.getValue().asText())));
        } else {
          walk(field.getValue());
        }
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isTextual()) {
          a.set(i, TextNode.valueOf(maskUserinfo(a.get(i).asText())));
        } else {
          walk(a.get(i));
        }
      }
    }
  }
}
