package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.Browser;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.Http;
import io.mxwatch.testing.TestSmtpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The pages in a real browser (headless Chromium), against a running daemon, as the person on
 * call uses them: the overview, a removed MX as before → after, values from the network shown as
 * text, approving with and without the token, a form on another origin, a 360 px phone, light and
 * dark. Screenshots of each page go to {@code target/screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PagesInBrowserTest {
  static final String DOMAIN = CheckFixture.DOMAIN;
  static final String HOSTILE_DOMAIN = "hostile.test";
  static final String TOKEN = "browser-test-write-token";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String SCRIPT_TXT = "<script>document.title='owned-by-txt'</script>";
  static final String IMG_TXT = "<img src=x onerror=alert(3)>";
  static final String BANNER = "<script>alert(2)</script><b id=injected>bold</b>";

  private Path dir;
  private CheckFixture f;
  private Daemon daemon;
  private Http http;
  private String base;
  private Browser browser;
  private HttpServer elsewhere;

  @BeforeAll
  void start() throws Exception {
    // the browser first: without one the class is skipped before a daemon starts
    browser = Browser.start();
    dir = Files.createTempDirectory("mxwatch-browser");
    f = new CheckFixture()
        .zone(DOMAIN, CheckFixture.TWO_EXCHANGES)
        .zone("ok.test", CheckFixture.TWO_EXCHANGES.replace("127.0.0.3", "127.0.0.2"))
        .zone(HOSTILE_DOMAIN, """
            @        MX 10 mx1
            mx1      A  127.0.0.4
            @        TXT "v=spf1 mx -all %s"
            _dmarc   TXT "v=DMARC1; p=none; rua=mailto:%s"
            """.formatted(SCRIPT_TXT, IMG_TXT))
        .smtp("127.0.0.2", TestSmtpServer.wellBehaved())
        .smtp("127.0.0.4", TestSmtpServer.conversation("220 " + BANNER + " ESMTP\r\n", "250 mx.hostile.test\r\n"));
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    daemon = ProbingDaemon.start(dir, f, ", token_file: token", "[" + DOMAIN + ", ok.test, " + HOSTILE_DOMAIN + "]");
    http = new Http(daemon.httpAddress());
    base = "http://127.0.0.1:" + daemon.httpAddress().getPort();
    Await.until("every domain checked", WAIT, () -> List.of(DOMAIN, "ok.test", HOSTILE_DOMAIN).stream().allMatch(d -> status(d) != null));
    Await.until("the baseline of " + DOMAIN, WAIT, () -> daemon.store().load(DOMAIN).state().baseline() != null);
  }

  @AfterAll
  void stop() {
    if (elsewhere != null) {
      elsewhere.stop(0);
    }
    if (daemon != null) {
      daemon.close();
    }
    if (f != null) {
      f.close();
    }
    if (browser != null) {
      browser.close();
    }
  }

  /** The domain's status as the JSON API gives it; null before its first check. */
  private String status(String domain) {
    try {
      var node = new ObjectMapper().readTree(http.get("/api/domains/" + domain).body()).path("status");
      return node.isTextual() && !node.asText().equals("unchecked") ? node.asText() : null;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private void open(String path) {
    browser.driver.get(base + path);
  }

  private String text() {
    return browser.driver.findElement(By.tagName("body")).getText();
  }

  private void shoot(String name) {
    browser.dark(false);
    browser.screenshot(Browser.screenshots().resolve(name + "-light.png"), 1280, false);
    browser.dark(true);
    browser.screenshot(Browser.screenshots().resolve(name + "-dark.png"), 1280, false);
    browser.dark(false);
    browser.screenshot(Browser.screenshots().resolve(name + "-phone.png"), 360, true);
    browser.width(1280, false);
  }

  @Test
  @Order(1)
  void theOverviewListsTheDaemonsDomainsWithTheirStatusesWorstFirst() {
    open("/");
    assertThat(browser.driver.getTitle()).isEqualTo("Overview · mxwatch");
    List<WebElement> rows = browser.driver.findElements(By.cssSelector("table.domains tbody tr"));
    assertThat(rows).hasSize(3);
    List<String> order = List.of("critical", "unknown", "warning", "ok");
    int last = -1;
    for (WebElement row : rows) {
      String domain = row.findElement(By.cssSelector("th a")).getText();
      String shown = row.findElement(By.cssSelector(".status")).getText();
      assertThat(shown).as(domain).isEqualTo(status(domain));
      assertThat(order.indexOf(shown)).as("worst first").isGreaterThanOrEqualTo(last);
      last = order.indexOf(shown);
    }
    assertThat(text()).contains("ok.test").contains(DOMAIN).contains(HOSTILE_DOMAIN);
    // the filter form works without script
    browser.driver.findElement(By.id("name")).sendKeys("ok.test");
    browser.submit(browser.driver.findElement(By.cssSelector("form.filters button")));
    assertThat(browser.driver.findElements(By.cssSelector("table.domains tbody tr"))).hasSize(1);
    assertThat(browser.driver.getCurrentUrl()).contains("name=ok.test");
  }

  @Test
  @Order(2)
  void whatCameFromTheNetworkShowsAsTextAndNeverRuns() {
    open("/domains/" + HOSTILE_DOMAIN);
    String body = text();
    assertThat(body).contains(SCRIPT_TXT).contains(IMG_TXT).contains(BANNER);
    assertThat(browser.driver.getTitle()).isEqualTo(HOSTILE_DOMAIN + " · mxwatch");
    assertThat(browser.driver.findElements(By.tagName("script"))).as("no script element").isEmpty();
    assertThat(browser.driver.findElements(By.cssSelector("img"))).as("no injected image").isEmpty();
    assertThat(browser.driver.findElements(By.id("injected"))).as("no injected element").isEmpty();
    assertThatThrownBy(() -> browser.driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
  }

  @Test
  @Order(3)
  void aRemovedExchangeShowsAsBeforeAndAfter() {
    f.dns.replace(DOMAIN, CheckFixture.TWO_EXCHANGES.replace("@        MX 20 mx2\n", ""));
    Await.until("MX_REMOVED on the page", WAIT, () -> {
      open("/domains/" + DOMAIN); // the open change, not only its line in the timeline
      return browser.driver.findElements(By.cssSelector("article.change")).stream().anyMatch(e -> e.getText().contains("MX_REMOVED"));
    });
    WebElement change = browser.driver.findElement(By.cssSelector("article.change"));
    assertThat(change.getText()).contains("MX_REMOVED").contains("before").contains("after");
    assertThat(change.findElement(By.tagName("del")).getText()).isEqualTo("20 mx2.example.test");
    assertThat(change.findElement(By.cssSelector("dl.beforeafter")).getText()).contains("absent");
    assertThat(text()).contains("Sign in").contains("to approve");
    shoot("domain");
    open("/");
    shoot("overview");
  }

  @Test
  @Order(4)
  void onAPhoneNoPageScrollsSideways() {
    for (String path : List.of("/", "/domains/" + DOMAIN, "/domains/" + HOSTILE_DOMAIN, "/session?back=/")) {
      open(path);
      browser.width(360, true);
      browser.driver.navigate().refresh();
      assertThat(browser.scrollsSideways()).as(path + " at 360 px").isFalse();
    }
    browser.width(1280, false);
  }

  @Test
  @Order(5)
  void withoutTheTokenTheFormIsRefusedAndAFormOfAnotherOriginToo() throws Exception {
    signIn("not-the-token");
    assertThat(text()).contains("That is not the write token.");

    signIn(TOKEN);
    assertThat(browser.driver.getCurrentUrl()).contains("/domains/" + DOMAIN);
    WebElement form = browser.driver.findElement(By.cssSelector("form[action$='/ack']"));
    String csrf = form.findElement(By.name("csrf")).getDomAttribute("value");
    String expect = form.findElement(By.name("expect")).getDomAttribute("value");

    // the same form after the session is gone: refused, nothing approved
    browser.driver.manage().deleteAllCookies();
    form.findElement(By.id("reason")).sendKeys("no token");
    form.findElement(By.id("by")).sendKeys("someone");
    browser.submit(form.findElement(By.cssSelector("button")));
    assertThat(text()).contains("Not allowed").contains("Sign in with the write token first");
    assertOpen();

    // signed in again, a page of another origin (same site, another port) posts the right values
    signIn(TOKEN);
    elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String page = """
        <!DOCTYPE html><html><body>
        <form method="post" action="%s/domains/%s/ack">
        <input type="hidden" name="csrf" value="%s"><input type="hidden" name="expect" value="%s">
        <input type="hidden" name="reason" value="forged"><button id="go" type="submit">win a prize</button>
        </form></body></html>
        """.formatted(base, DOMAIN, csrf, expect);
    elsewhere.createContext("/", exchange -> {
      byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    elsewhere.start();
    browser.driver.get("http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/");
    browser.submit(browser.driver.findElement(By.id("go")));
    assertThat(text()).contains("Not allowed").contains("another site");
    assertOpen();
  }

  @Test
  @Order(6)
  void withTheTokenTheFormApprovesAndTheChangeLeavesThePage() {
    open("/domains/" + DOMAIN);
    if (browser.driver.findElements(By.cssSelector("form[action$='/ack']")).isEmpty()) {
      signIn(TOKEN);
    }
    WebElement form = browser.driver.findElement(By.cssSelector("form[action$='/ack']"));
    form.findElement(By.id("reason")).sendKeys("mx2 retired, planned");
    form.findElement(By.id("by")).sendKeys("oncall");
    browser.submit(form.findElement(By.cssSelector("button")));
    assertThat(text()).contains("Approved").contains("Nothing open").doesNotContain("MX_REMOVED example.test");
    assertThat(browser.driver.findElements(By.cssSelector("article.change"))).isEmpty();
    assertThat(browser.driver.findElement(By.cssSelector("ol.timeline")).getText()).contains("approved by oncall").contains("mx2 retired, planned");
  }

  @Test
  @Order(7)
  void twoSnapshotsCompareAndASilenceIsSetFromThePage() {
    open("/domains/" + DOMAIN);
    // the form starts at the two newest snapshots; the oldest against the newest shows the removal
    List<WebElement> from = new Select(browser.driver.findElement(By.id("from"))).getOptions();
    new Select(browser.driver.findElement(By.id("from"))).selectByIndex(from.size() - 1);
    new Select(browser.driver.findElement(By.id("to"))).selectByIndex(0);
    browser.submit(browser.driver.findElement(By.cssSelector("form[action$='#diff'] button")));
    WebElement diff = browser.driver.findElement(By.cssSelector("section[aria-labelledby=diff]"));
    assertThat(diff.getText()).contains("MX_REMOVED").contains("mx2.example.test");
    assertThat(diff.findElement(By.tagName("del")).getText()).isEqualTo("20 mx2.example.test");

    WebElement form = browser.driver.findElement(By.cssSelector("form[action$='/silence']"));
    WebElement duration = form.findElement(By.id("duration"));
    duration.clear();
    duration.sendKeys("90m");
    form.findElement(By.id("silence-reason")).sendKeys("provider maintenance");
    form.findElement(By.id("silence-by")).sendKeys("oncall");
    browser.submit(form.findElement(By.cssSelector("button")));
    assertThat(text()).contains("Silenced");
    assertThat(http.get("/api/silences").body()).contains("provider maintenance").contains(DOMAIN);
  }

  private void signIn(String token) {
    open("/session?back=/domains/" + DOMAIN);
    browser.driver.findElement(By.id("token")).sendKeys(token);
    browser.submit(browser.driver.findElement(By.cssSelector("form.action button")));
  }

  private void assertOpen() {
    open("/domains/" + DOMAIN);
    assertThat(browser.driver.findElement(By.cssSelector("article.change")).getText()).contains("MX_REMOVED");
  }
}
