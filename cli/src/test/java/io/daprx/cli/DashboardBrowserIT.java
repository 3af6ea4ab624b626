package io.daprx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.daprx.common.pki.Pem;
import io.daprx.placement.sim.SidecarSpec;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard of a local HA install in a real browser (Debian's headless Chromium through chromedriver): every page
 * loads with the cluster's data, the lookup box answers like {@code daprx placement lookup}, no secret value reaches a
 * page, and a sentry replica killed with SIGKILL shows up restarting in the open page without a reload. Screenshots go
 * to {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final String SECRET = "s3cr3t-inline-password";

  @TempDir
  static Path home;
  @TempDir
  static Path profile;

  static DaprxCli cli;
  static LeaderSidecars sidecars;
  static WebDriver browser;
  static String dashboard;

  @BeforeAll
  static void installTheControlPlaneAndOpenABrowser() throws Exception {
    // CI installs these (bin/test-deps): a missing browser is a failure, never a skip
    assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver; bin/test-deps does it)").isExecutable();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver (apt-get install chromium-driver; bin/test-deps does it)").isExecutable();
    cli = new DaprxCli(home, 22000 + (int) (ProcessHandle.current().pid() % 25) * 192); // below the kernel's ephemeral ports
    cli.ok("cluster", "create", "-g", "rg", "-n", "web");
    cli.registerForDapr();
    cli.ok("k8s-extension", "create", "-t", "managedClusters", "-c", "web", "-g", "rg", "-n", "dapr", "--extension-type", "Microsoft.Dapr");
    // found as a dapr dashboard -k user finds it
    dashboard = cli.ok("dashboard").out().trim().replaceAll("/$", "");
    assertThat(dashboard).matches("http://127\\.0\\.0\\.1:\\d+");

    Files.writeString(home.resolve("statestore.yaml"), """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
          namespace: shop
        spec:
          type: state.redis
          version: v1
          metadata:
          - name: redisHost
            value: localhost:6379
          - name: redisPassword
            value: %s
          - name: authToken
            secretKeyRef: {name: redis, key: token}
        scopes: [cart]
        """.formatted(SECRET));
    cli.ok("apply", "-f", home.resolve("statestore.yaml").toString());

    cli.ok("mtls", "export", "-g", "rg", "-n", "web", "--out", home.resolve("trust").toString());
    List<X509Certificate> anchors = Pem.parseCertificates(Files.readString(home.resolve("trust/ca.crt")));
    String sentry = cli.ok("get", "services", "-n", "dapr-system", "-o", "tsv", "--query", "[?name=='dapr-sentry'].address | [0]").out().trim();
    sidecars = new LeaderSidecars(cli, sentry, anchors);
    sidecars.connect(SidecarSpec.of("127.0.0.1:41001", "cart", "shop", "Cart"));
    sidecars.connect(SidecarSpec.of("127.0.0.1:41002", "orders", "shop", "Cart", "Order"));

    Files.createDirectories(SCREENSHOTS);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // without the background-networking flags Chromium keeps calling home, which this closed network refuses
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1280,1000", "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void closeEverything() {
    if (browser != null) {
      browser.quit();
    }
    if (sidecars != null) {
      sidecars.close();
    }
    if (cli != null) {
      assertThat(cli.stopAndFindLeftovers()).as("control-plane processes left running after 'server stop'").isEmpty();
    }
  }

  static void open(String path) {
    browser.get(dashboard + path);
  }

  /**
   * The text of an element, read in one script call: the live part is replaced every two seconds, so an element found
   * in one call may be gone (stale) by the next.
   */
  static String text(String css) {
    Object t = ((JavascriptExecutor) browser).executeScript("var e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css);
    assertThat(t).as("an element %s on %s", css, browser.getCurrentUrl()).isNotNull();
    return t.toString().trim();
  }

  /** Awaitility that retries when the live refresh replaced an element between finding and reading it. */
  static org.awaitility.core.ConditionFactory eventually(Duration atMost) {
    return await().atMost(atMost).ignoreException(StaleElementReferenceException.class);
  }

  static void screenshot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** What a page's source must never hold. */
  static void noSecretIn(String page) {
    assertThat(browser.getPageSource()).as(page).doesNotContain(SECRET);
  }

  @Test
  @Order(1)
  void controlPlaneShowsEveryReplicaWithItsVersionTheLeaderAndTheCaExpiry() throws Exception {
    open("/controlplane");
    eventually(Duration.ofSeconds(20)).untilAsserted(() -> {
      List<WebElement> rows = browser.findElements(By.cssSelector("table#pods tbody tr"));
      assertThat(rows).hasSize(16);
      assertThat(rows).allSatisfy(r -> {
        assertThat(r.findElement(By.cssSelector("td.ready")).getText()).isEqualTo("1/1");
        assertThat(r.findElement(By.cssSelector("td.version")).getText()).isNotBlank();
      });
    });
    assertThat(browser.findElements(By.cssSelector("tr[data-pod^='dapr-dashboard-']"))).hasSize(1);
    assertThat(browser.findElements(By.cssSelector("tr[data-pod^='dapr-sentry-']"))).hasSize(3);
    assertThat(text("#placement-leader")).matches("Leader: dapr-placement-server-[012]");
    assertThat(text("table#ca tr[data-certificate='root']")).contains("O=cluster.local").contains("ok");
    assertThat(text("table#ca tr[data-certificate='issuer']")).containsPattern("\\d{4}-\\d{2}-\\d{2}T").contains("ok");
    assertThat(browser.getTitle()).contains("Control plane");
    screenshot("controlplane");
    noSecretIn("controlplane");

    // scripts read the same data
    HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dashboard + "/api/controlplane")).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode cp = DaprxCli.JSON.readTree(api.body());
    assertThat(cp.path("pods").asInt()).isEqualTo(16);
    assertThat(cp.path("placement").path("leader").asText()).isEqualTo(text("#placement-leader strong"));
  }

  @Test
  @Order(2)
  void placementShowsTheTableAndTheLookupBoxAnswersLikeTheCli() throws Exception {
    open("/placement");
    eventually(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(text("#live")).contains("Namespace shop").contains("127.0.0.1:41001").contains("127.0.0.1:41002").contains("Order"));
    browser.findElement(By.id("lookup-namespace")).clear();
    browser.findElement(By.id("lookup-namespace")).sendKeys("shop");
    browser.findElement(By.id("lookup-type")).sendKeys("Cart");
    browser.findElement(By.id("lookup-id")).sendKeys("cart-42");
    browser.findElement(By.id("lookup-submit")).click();
    String expected = cli.ok("placement", "lookup", "--actor-type", "Cart", "--actor-id", "cart-42", "-n", "shop", "-o", "tsv", "--query", "host")
        .out().trim();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(text("#lookup-result"))
        .contains("Actor Cart/cart-42 in shop is owned by " + expected));
    assertThat(browser.getCurrentUrl()).as("answered in place").endsWith("/placement");
    screenshot("placement");

    browser.findElement(By.id("lookup-type")).clear();
    browser.findElement(By.id("lookup-type")).sendKeys("Nope");
    browser.findElement(By.id("lookup-submit")).click();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(text("#lookup-result")).contains("actor type Nope is not hosted"));
  }

  @Test
  @Order(3)
  void appsAreTheSidecarsPlacementKnows() throws Exception {
    open("/apps");
    eventually(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(browser.findElements(By.cssSelector("table#apps tr[data-app='cart']"))).hasSize(1);
      assertThat(browser.findElements(By.cssSelector("table#apps tr[data-app='orders']"))).hasSize(1);
    });
    assertThat(text("main")).contains("no workload objects");
    screenshot("apps");
  }

  @Test
  @Order(4)
  void componentsAreListedWithTheirYamlAndNoSecretValue() throws Exception {
    open("/resources/components");
    await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector("table#resources tr[data-name='statestore']")).isEmpty());
    assertThat(text("table#resources tr[data-name='statestore']")).contains("shop").contains("state.redis").contains("v1").contains("cart");
    noSecretIn("components");
    screenshot("components");
    eventually(Duration.ofSeconds(10)).until(() -> {
      browser.findElement(By.linkText("statestore")).click();
      return true;
    });
    eventually(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("yaml")).isEmpty());
    assertThat(text("#yaml")).contains("kind: Component").contains("redisHost").contains("localhost:6379").contains("redisPassword")
        .contains("••••••").contains("secretKeyRef").contains("name: redis");
    noSecretIn("component YAML");
    screenshot("component-yaml");
    for (String kind : List.of("configurations", "resiliencies", "subscriptions")) {
      open("/resources/" + kind);
      assertThat(browser.findElements(By.cssSelector("table#resources"))).as(kind).hasSize(1);
      assertThat(text("h1")).isEqualToIgnoringCase(kind);
    }
  }

  @Test
  @Order(5)
  void extensionShowsVersionTrainAutoUpgradeStateAndStatuses() throws Exception {
    open("/extension");
    assertThat(text("tr[data-field='provisioningState'] td")).isEqualTo("Succeeded");
    assertThat(text("tr[data-field='autoUpgradeMinorVersion'] td")).isEqualTo("true");
    assertThat(text("tr[data-field='currentVersion'] td")).isNotBlank();
    assertThat(text("tr[data-field='releaseTrain'] td")).isNotBlank();
    assertThat(text("table#statuses")).contains("dapr-dashboard 1/1 ready");
    // the history: the install, with the version it moved to
    assertThat(text("table#operations tbody tr")).startsWith("create").contains("Succeeded").contains(text("tr[data-field='currentVersion'] td"));
    screenshot("extension");
  }

  @Test
  @Order(6)
  void aKilledSentryShowsUpRestartingInTheOpenPageWithoutAReload() throws Exception {
    open("/controlplane");
    ((JavascriptExecutor) browser).executeScript("window.__notReloaded = true;");
    JsonNode victim = null;
    for (JsonNode p : cli.pods()) {
      if (p.path("component").asText().equals("sentry")) {
        victim = p;
        break;
      }
    }
    assertThat(victim).isNotNull();
    String name = victim.path("name").asText();
    ProcessHandle process = ProcessHandle.of(victim.path("pid").asLong()).orElseThrow();
    process.destroyForcibly(); // SIGKILL
    process.onExit().get(10, TimeUnit.SECONDS);
    String row = "tr[data-pod='" + name + "']";
    eventually(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> Integer.parseInt(text(row + " td.restarts")) >= 1);
    assertThat(((JavascriptExecutor) browser).executeScript("return document.querySelector(arguments[0]).className;", row))
        .asString().contains("degraded");
    screenshot("controlplane-sentry-restarting");
    assertThat(((JavascriptExecutor) browser).executeScript("return window.__notReloaded === true;")).isEqualTo(true);
    assertThat(text("#updated")).startsWith("live");
  }
}
