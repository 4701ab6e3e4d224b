package io.mxwatch.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven by Debian's chromedriver, for the tests of the pages. It reaches
 * loopback only: every other address goes to a proxy on a closed loopback port, and Chromium's
 * own background traffic (updates, metrics, safe browsing) is switched off.
 *
 * <p>Without chromium and chromedriver installed the tests that need it are skipped, except under
 * {@code CI=true}, where a missing browser fails them ({@code .ci/run} installs both).
 */
public final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("MXWATCH_CHROMIUM", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getenv().getOrDefault("MXWATCH_CHROMEDRIVER", "/usr/bin/chromedriver"));

  public final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Starts a browser; skips the test (fails it under CI) when chromium or chromedriver is missing. */
  public static Browser start() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("the browser tests need " + CHROMIUM + " and " + DRIVER + ": apt-get install chromium chromium-driver");
    }
    Assumptions.assumeTrue(present, "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // as root in a container there is no user namespace for the sandbox
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=en-US",
        // loopback only: nothing else is reachable, and Chromium has nothing to fetch on its own
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1;localhost;[::1]",
        "--dns-prefetch-disable",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--disable-extensions",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-breakpad",
        "--no-first-run",
        "--no-pings",
        "--metrics-recording-only");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new Browser(driver);
  }

  /** Renders with {@code prefers-color-scheme: dark} (true) or light. */
  public void dark(boolean dark) {
    driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
  }

  /** Lays the page out as a {@code width} px wide screen (a phone when {@code mobile}). */
  public void width(int width, boolean mobile) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", mobile));
  }

  /**
   * Clicks a form's button and waits, with a deadline, until the page it leads to has loaded: a
   * click returns as soon as the browser has it, before the old page is gone.
   */
  public void submit(WebElement button) {
    // a mark on the old page's window: a new page has a window of its own, without it
    driver.executeScript("window.mxwatchOldPage = true");
    button.click();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        // while the old page unloads, the driver can answer with errors about its document
        // (a stale element, or chromedriver's "Node with given id does not belong to the
        // document"); the wait goes on until the deadline, and fails with the last of them
        .ignoring(WebDriverException.class)
        .until(d -> Boolean.TRUE.equals(driver.executeScript("return window.mxwatchOldPage === undefined && document.readyState === 'complete'")));
  }

  /** Whether the page is wider than the screen: a phone would scroll sideways. */
  public boolean scrollsSideways() {
    Object r = driver.executeScript("return document.documentElement.scrollWidth > document.documentElement.clientWidth");
    return Boolean.TRUE.equals(r);
  }

  /** Saves the whole page (not only the visible part) as {@code file}, at {@code width} px wide. */
  public void screenshot(Path file, int width, boolean mobile) {
    width(width, mobile);
    long height = ((Number) driver.executeScript("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", (int) Math.min(Math.max(height, 400), 6000), "deviceScaleFactor", 1, "mobile", mobile));
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    width(width, mobile);
  }

  /** Where the tests' screenshots go: {@code target/screenshots}. */
  public static Path screenshots() {
    return new File("target/screenshots").toPath();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
