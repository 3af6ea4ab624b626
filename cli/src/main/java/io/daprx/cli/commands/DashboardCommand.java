package io.daprx.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.manager.deploy.ServiceProxy;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code daprx dashboard}: the current cluster's running dashboard, as {@code dapr dashboard -k} finds it — its URL
 * printed (a local cluster's {@code dapr-dashboard} Service is a loopback port already), a browser launched with
 * {@code --open}, a local forward with {@code -p}. It never starts a dashboard: the component is
 * {@code daprx dashboard serve}, which installs run.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true, sortOptions = false, description = {
    "Open the current cluster's running dashboard, as dapr dashboard -k: print its URL, and with --open launch a browser on it.",
    "  daprx dashboard", "  daprx dashboard --open", "  daprx dashboard -p 9999",
    "The dashboard component itself is 'daprx dashboard serve' (what an install runs)."},
    subcommands = io.daprx.cli.DashboardServeCommand.class)
public final class DashboardCommand extends ClientCommand implements Callable<Integer> {

  static final String SERVICE = "dapr-dashboard";
  /** The dashboard's Service port on a Kubernetes cluster (the manifests' {@code dapr-dashboard} Service). */
  static final int CLUSTER_PORT = 8080;
  private static final long BROWSER_WAIT_SECONDS = 10;

  @Option(names = {"--namespace", "-n"}, defaultValue = "dapr-system",
      description = "the namespace the control plane runs in (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = {"--port", "-p"}, paramLabel = "PORT",
      description = "serve the dashboard on this local port too (127.0.0.1), until interrupted, as dapr dashboard -p")
  Integer port;

  @Option(names = "--open", description = "launch a browser on the dashboard (the desktop's, or xdg-open/open)")
  boolean open;

  @Option(names = {"--kubernetes", "-k"}, description = "accepted for dapr dashboard -k's users: the current cluster is always the one opened")
  boolean kubernetes;

  @Option(names = {"--cluster", "--cluster-name", "-c"}, description = "the cluster (default: the current cluster)")
  String clusterName;

  @Option(names = {"--resource-group", "-g"}, description = "its resource group (default: the current cluster's)")
  String resourceGroup;

  @Option(names = {"--cluster-type", "-t"}, description = "managedClusters (local) or connectedClusters, with -g and -c (default: managedClusters)")
  String clusterType;

  @Override
  public void checkArguments() {
    super.checkArguments();
    if (port != null && (port < 1 || port > 65535)) {
      throw new IllegalArgumentException("invalid --port " + port + ": use a TCP port from 1 to 65535");
    }
  }

  @Override
  public Integer call() throws Exception {
    ClusterRef cluster = cluster(resourceGroup, clusterName, clusterType);
    if (cluster.type().equalsIgnoreCase("connectedClusters")) {
      return connected(cluster);
    }
    // read as kubectl reads the cluster: the Service gives the address, the pods behind it whether it can answer
    String kube = clusterPath(cluster) + "/kube/api/v1/namespaces/" + URLEncoder.encode(namespace, StandardCharsets.UTF_8);
    JsonNode services = api().get(kube + "/services").body().path("items");
    JsonNode dashboard = null;
    for (JsonNode s : services) {
      dashboard = s.path("metadata").path("name").asText().equals(SERVICE) ? s : dashboard;
    }
    String where = "cluster " + cluster.name() + " (resource group " + cluster.resourceGroup() + "), namespace " + namespace;
    if (dashboard == null) {
      throw new IllegalStateException(services.isEmpty()
          ? "no Dapr control plane runs on " + where + ": install it with 'daprx k8s-extension create -t managedClusters -g "
              + cluster.resourceGroup() + " -c " + cluster.name() + " -n dapr --extension-type Microsoft.Dapr' (or pass -n NAMESPACE"
              + " if it runs in another namespace)"
          : "the control plane on " + where + " has no " + SERVICE + " Service: it runs the dashboard only when its install"
              + " was made by a management server ('daprx server'); 'daprx get services -n " + namespace + "' lists what runs there");
    }
    boolean ready = false;
    for (JsonNode pod : api().get(kube + "/pods?labelSelector=" + URLEncoder.encode("app=" + SERVICE, StandardCharsets.UTF_8)).body()
        .path("items")) {
      for (JsonNode c : pod.path("status").path("conditions")) {
        ready |= c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True");
      }
    }
    if (!ready) {
      throw new IllegalStateException("the dashboard on " + where + " is not ready (no ready replica behind " + SERVICE + "): see"
          + " 'daprx get pods -n " + namespace + " -l app=" + SERVICE + "' and its log with 'daprx logs POD -n " + namespace + "'");
    }
    String host = dashboard.path("spec").path("clusterIP").asText("127.0.0.1");
    int servicePort = dashboard.path("spec").path("ports").path(0).path("port").asInt();
    String address = host + ":" + servicePort;
    URI url = URI.create("http://" + address + "/");
    if (port == null) {
      return show(url);
    }
    InetSocketAddress target = new InetSocketAddress(host, servicePort);
    try (ServiceProxy forward = new ServiceProxy(SERVICE, port, () -> List.of(target))) {
      show(URI.create("http://127.0.0.1:" + forward.port() + "/"));
      err().println("Forwarding 127.0.0.1:" + forward.port() + " to the dashboard at " + address + "; press Ctrl+C to stop.");
      err().flush();
      new CountDownLatch(1).await(); // until interrupted, as dapr dashboard -p serves until stopped
      return 0;
    } catch (java.net.BindException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + "): pick a free port with -p");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  /** A connected cluster's dashboard is reached through the user's own kubeconfig: the forward dapr dashboard -k makes. */
  private int connected(ClusterRef cluster) {
    int local = port != null ? port : CLUSTER_PORT;
    out().println("The dashboard runs in connected cluster " + cluster.name() + " (Service " + SERVICE + ", namespace " + namespace
        + "). Forward it with your kubeconfig:");
    out().println("  kubectl port-forward -n " + namespace + " svc/" + SERVICE + " " + local + ":" + CLUSTER_PORT);
    out().println("then open http://localhost:" + local + "/");
    out().flush();
    return 0;
  }

  private int show(URI url) throws IOException, InterruptedException {
    out().println(url);
    out().flush();
    if (open) {
      launchBrowser(url);
    }
    return 0;
  }

  /**
   * The platform's opener from PATH first (xdg-open, or open on macOS), else the desktop's browser where there is a
   * display; an error saying so when there is neither, rather than a silent nothing.
   */
  private void launchBrowser(URI url) throws IOException, InterruptedException {
    boolean mac = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");
    Path opener = onPath(mac ? "open" : "xdg-open");
    if (opener != null) {
      Process p = new ProcessBuilder(opener.toString(), url.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor(BROWSER_WAIT_SECONDS, TimeUnit.SECONDS) && p.exitValue() != 0) {
        throw new IllegalStateException(opener + " could not open a browser (exit " + p.exitValue() + "): open " + url + " yourself");
      }
      return;
    }
    boolean display = mac || env().containsKey("DISPLAY") || env().containsKey("WAYLAND_DISPLAY");
    if (display && !java.awt.GraphicsEnvironment.isHeadless() && java.awt.Desktop.isDesktopSupported()
        && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
      java.awt.Desktop.getDesktop().browse(url);
      return;
    }
    throw new IllegalStateException("no browser to open here (no " + (mac ? "open" : "xdg-open") + " on PATH and no desktop): open "
        + url + " yourself, or from another machine forward the port with ssh -L");
  }

  private Path onPath(String name) {
    String path = env().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name);
      }
    }
    return null;
  }
}
