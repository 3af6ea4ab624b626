package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code daprx scheduler list|get|delete|delete-all|export|import}: the Dapr CLI's {@code dapr scheduler} commands
 * against the current cluster's scheduler, through the management server. Jobs are named as the Dapr CLI names them:
 * {@code app/<app id>/<job>}, {@code actor/<type>/<id>/<reminder>}, {@code workflow/<app id>/<instance>/<reminder>},
 * {@code activity/<app id>/<activity id>}.
 */
public final class SchedulerJobsCommands {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Under the management server's 1 MB request limit, with room for the JSON around the records. */
  static final int IMPORT_CHUNK_BYTES = 768 * 1024;

  private SchedulerJobsCommands() {}

  /** What every scheduler client command shares: the cluster, the namespace, the API paths. */
  abstract static class JobsCommand extends ClientCommand {
    @Option(names = {"--namespace", "-n"}, defaultValue = "default", description = "namespace of the Dapr apps (default: ${DEFAULT-VALUE})")
    String namespace;

    @Mixin
    ClusterOptions cluster;

    String base() {
      return clusterPath(cluster) + "/scheduler";
    }

    /** A job's path: each segment of its name encoded, the slashes kept (the server reads the name with them). */
    String jobPath(String name) {
      List<String> parts = new ArrayList<>();
      for (String p : name.split("/", -1)) {
        parts.add(URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
      }
      return base() + "/jobs/" + String.join("/", parts) + "?namespace=" + enc(namespace);
    }

    /** -o takes the Dapr CLI's values here (wide as well as az's), checked by each command. */
    @Override
    public void checkArguments() {}

    /** The output asked for: table when none was given (as the Dapr CLI's short listing), else -o's. */
    String output() {
      boolean given = spec.commandLine().getParseResult().hasMatchedOption("--output");
      return given ? global.output.toLowerCase(Locale.ROOT) : "table";
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = {"List the jobs, actor reminders and workflow reminders of a namespace.",
      "  daprx scheduler list", "  daprx scheduler list -n shop --filter workflow", "  daprx scheduler list -A -o wide",
      "  daprx scheduler list -o yaml"})
  public static final class ListJobs extends JobsCommand implements Callable<Integer> {
    @Option(names = "--filter", defaultValue = "all", description = "all, app, actor, workflow or activity (default: ${DEFAULT-VALUE})")
    String filter;

    @Option(names = {"--all-namespaces", "-A"}, description = "every namespace, not only -n's")
    boolean allNamespaces;

    @Override
    public Integer call() {
      JsonNode items = items(api().get(base() + "/jobs?filter=" + enc(filter) + (allNamespaces ? "" : "&namespace=" + enc(namespace))).body());
      String o = output();
      if (o.equals("table") || o.equals("wide") || o.equals("short")) {
        if (items.isEmpty()) {
          err().println(allNamespaces ? "No jobs found." : "No jobs found in namespace \"" + namespace + "\".");
          err().flush();
          return 0;
        }
        out().print(table(items, o.equals("wide"), allNamespaces, Instant.now()));
        out().flush();
        return 0;
      }
      print(items);
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = {"Show jobs by name.",
      "  daprx scheduler get app/my-app-id/my-job-name", "  daprx scheduler get actor/my-actor-type/my-actor-id/my-reminder -o yaml",
      "  daprx scheduler get workflow/my-app-id/my-instance-id/my-workflow-reminder-name",
      "  daprx scheduler get activity/my-app-id/xyz::0::1"})
  public static final class Get extends JobsCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "NAME", description = "app/ID/JOB, actor/TYPE/ID/REMINDER, workflow/APP/INSTANCE/REMINDER or activity/APP/ID")
    List<String> names;

    @Override
    public Integer call() {
      ArrayNode jobs = JSON.createArrayNode();
      for (String n : names) {
        jobs.add(api().get(jobPath(n)).body());
      }
      String o = output();
      if (o.equals("table") || o.equals("wide") || o.equals("short")) {
        out().print(table(jobs, o.equals("wide"), false, Instant.now()));
        out().flush();
        return 0;
      }
      print(jobs.size() == 1 ? jobs.get(0) : jobs);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete jobs by name.",
      "  daprx scheduler delete app/my-app-id/my-job-name", "  daprx scheduler delete actor/my-actor-type/my-actor-id/my-reminder -n shop"})
  public static final class Delete extends JobsCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "NAME", description = "app/ID/JOB, actor/TYPE/ID/REMINDER, workflow/APP/INSTANCE/REMINDER or activity/APP/ID")
    List<String> names;

    @Override
    public Integer call() {
      for (String n : names) {
        api().send("DELETE", jobPath(n), null, Map.of());
        out().println("Deleted job '" + n + "' in namespace '" + namespace + "'.");
      }
      out().flush();
      return 0;
    }
  }

  @Command(name = "delete-all", mixinStandardHelpOptions = true, description = {
      "Delete every job of a namespace that a key covers; asks first unless --yes.",
      "  daprx scheduler delete-all all", "  daprx scheduler delete-all app/my-app-id", "  daprx scheduler delete-all actor/my-actor-type",
      "  daprx scheduler delete-all workflow/my-app-id/my-instance-id --yes"})
  public static final class DeleteAll extends JobsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KEY",
        description = "all, app, app/ID, actor/TYPE, actor/TYPE/ID, workflow, workflow/APP, workflow/APP/INSTANCE, activity, activity/APP")
    String key;

    @Option(names = {"--yes", "-y"}, description = "do not ask for confirmation")
    boolean yes;

    @Override
    public Integer call() {
      if (!yes) {
        Confirm.ask(this, "Delete every job matching '" + key + "' in namespace '" + namespace + "'?");
      }
      ObjectNode body = JSON.createObjectNode().put("namespace", namespace).put("key", key);
      JsonNode r = api().send("POST", base() + "/jobs/delete", body, Map.of()).body();
      String o = output();
      if (!o.equals("table")) {
        print(r);
        return 0;
      }
      r.path("deleted").forEach(n -> out().println("Deleted job '" + n.asText() + "'."));
      out().println("Deleted " + r.path("deletedCount").asInt() + " jobs in namespace '" + namespace + "'.");
      out().flush();
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true, description = {
      "Export every job, actor reminder and workflow reminder with its data and progress to a file (owner-only: it holds the jobs' data).",
      "  daprx scheduler export -o jobs.json"})
  public static final class Export extends ClientCommand implements Callable<Integer> {
    @Option(names = "--output-file", paramLabel = "FILE", description = "the file to write; -o FILE says the same, as in the Dapr CLI")
    Path file;

    @Mixin
    ClusterOptions cluster;

    /** -o names the file here, as in the Dapr CLI. */
    @Override
    public void checkArguments() {}

    @Override
    public Integer call() throws IOException {
      boolean dashO = spec.commandLine().getParseResult().hasMatchedOption("--output");
      Path target = file != null ? file : dashO ? Path.of(global.output) : null;
      if (target == null) {
        throw new IllegalArgumentException("say where to export to: daprx scheduler export -o FILE");
      }
      if (Files.exists(target)) {
        throw new IllegalArgumentException("file '" + target + "' already exists; choose another name or remove it first");
      }
      JsonNode doc = api().get(clusterPath(cluster) + "/scheduler/export").body();
      try {
        Files.createFile(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException e) {
        throw new IllegalArgumentException("file '" + target + "' already exists; choose another name or remove it first");
      } catch (UnsupportedOperationException e) {
        Files.createFile(target);
      }
      Files.write(target, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
      out().println("Exported " + doc.path("jobs").size() + " jobs to '" + target + "'.");
      out().flush();
      return 0;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true, description = {
      "Import jobs from a file 'daprx scheduler export' wrote; jobs that exist are kept unless --overwrite.",
      "  daprx scheduler import -f jobs.json"})
  public static final class Import extends ClientCommand implements Callable<Integer> {
    @Option(names = {"--input-file", "-f"}, required = true, paramLabel = "FILE", description = "the export to import")
    Path file;

    @Option(names = "--overwrite", description = "replace jobs that exist")
    boolean overwrite;

    @Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() {
      JsonNode doc;
      try {
        doc = JSON.readTree(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read '" + file + "' as an export: " + e.getMessage());
      }
      if (doc == null || !doc.path("jobs").isArray()) {
        throw new IllegalArgumentException("'" + file + "' is not an export of 'daprx scheduler export' (no \"jobs\" list)");
      }
      int imported = 0;
      List<String> skipped = new ArrayList<>();
      for (ObjectNode chunk : chunks(doc)) {
        JsonNode r = api().send("POST", clusterPath(cluster) + "/scheduler/import?overwrite=" + overwrite, chunk, Map.of()).body();
        imported += r.path("imported").asInt();
        r.path("skipped").forEach(s -> skipped.add(s.asText()));
      }
      for (String s : skipped) {
        warn("job '" + s + "' exists and was kept (use --overwrite to replace it)");
      }
      out().println("Imported " + imported + " jobs from '" + file + "'" + (skipped.isEmpty() ? "." : "; " + skipped.size() + " kept as they were."));
      out().flush();
      return 0;
    }
  }

  /** An export cut into requests the server takes (each under its request-size limit), in order. */
  static List<ObjectNode> chunks(JsonNode doc) {
    List<ObjectNode> out = new ArrayList<>();
    ObjectNode current = null;
    int size = 0;
    for (JsonNode job : doc.path("jobs")) {
      int bytes = job.toString().length();
      if (current == null || size + bytes > IMPORT_CHUNK_BYTES && current.path("jobs").size() > 0) {
        current = JSON.createObjectNode();
        current.set("kind", doc.path("kind"));
        current.set("version", doc.path("version"));
        current.putArray("jobs");
        out.add(current);
        size = 0;
      }
      ((ArrayNode) current.get("jobs")).add(job);
      size += bytes;
    }
    return out;
  }

  /**
   * The Dapr CLI's listing: NAME, BEGIN, COUNT, LAST TRIGGER (times relative to now, "+" ahead, "-" ago), with the
   * namespace when several are shown; wide adds the schedule, due time, ttl, repeats, expiration and next trigger.
   */
  static String table(JsonNode jobs, boolean wide, boolean withNamespace, Instant now) {
    List<String[]> rows = new ArrayList<>();
    List<String> header = new ArrayList<>();
    if (withNamespace || wide) {
      header.add("NAMESPACE");
    }
    header.addAll(List.of("NAME", "BEGIN"));
    if (wide) {
      header.addAll(List.of("EXPIRATION", "SCHEDULE", "DUE TIME", "TTL", "REPEATS"));
    }
    header.addAll(List.of("COUNT", "LAST TRIGGER"));
    if (wide) {
      header.addAll(List.of("NEXT TRIGGER", "FAILED ATTEMPTS"));
    }
    rows.add(header.toArray(new String[0]));
    for (JsonNode j : jobs) {
      List<String> row = new ArrayList<>();
      if (withNamespace || wide) {
        row.add(j.path("namespace").asText());
      }
      row.add(j.path("name").asText());
      row.add(relative(j.path("begin").asText(null), now));
      if (wide) {
        row.add(relative(j.path("expiration").asText(null), now));
        row.add(j.path("schedule").asText(""));
        row.add(j.path("dueTime").asText(""));
        row.add(j.path("ttl").asText(""));
        row.add(j.has("repeats") ? j.path("repeats").asText() : "");
      }
      row.add(j.path("count").asText("0"));
      row.add(relative(j.path("lastTrigger").asText(null), now));
      if (wide) {
        row.add(relative(j.path("nextTrigger").asText(null), now));
        row.add(j.path("attempts").asText("0"));
      }
      rows.add(row.toArray(new String[0]));
    }
    return GetCommand.table(rows);
  }

  /** {@code +1h} ahead, {@code -45s} ago, empty for none. */
  static String relative(String time, Instant now) {
    if (time == null || time.isEmpty()) {
      return "";
    }
    Instant t = Instant.parse(time);
    return t.isAfter(now) ? "+" + GetCommand.age(Duration.between(now, t)) : "-" + GetCommand.age(Duration.between(t, now));
  }
}
