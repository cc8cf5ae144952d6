package io.delegatebroker.broker.console;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver: no browser or driver is downloaded. When either is
 * missing the test fails (never skips); {@code .ci/run} installs them.
 */
final class Chromium implements AutoCloseable {

  static final Path BROWSER = Path.of(System.getProperty("test.chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("test.chromedriver", "/usr/bin/chromedriver"));

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  static Chromium launch() throws IOException {
    assertTrue(Files.isExecutable(BROWSER), BROWSER + " is missing: apt-get install chromium chromium-driver");
    assertTrue(Files.isExecutable(DRIVER), DRIVER + " is missing: apt-get install chromium chromium-driver");
    Path profile = Files.createTempDirectory("console-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    // Without the background-networking flags Chromium waits on services it cannot reach on a closed network.
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream())
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(30));
    return new Chromium(driver, profile);
  }

  WebDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  /** Waits (at most 20 s, polling) until the condition gives a non-null, non-false value. */
  <T> T until(String what, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(100))
        .withMessage(what)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .ignoring(org.openqa.selenium.NoSuchElementException.class)
        .until(condition::apply);
  }

  WebElement find(By by) {
    return until("element " + by, d -> d.findElement(by));
  }

  /** The element once it is displayed. */
  WebElement visible(By by) {
    return until("visible " + by, d -> {
      WebElement e = d.findElement(by);
      return e.isDisplayed() ? e : null;
    });
  }

  List<WebElement> all(By by) {
    return driver.findElements(by);
  }

  /** Waits until no element matches. */
  void gone(By by) {
    until("gone: " + by, d -> d.findElements(by).isEmpty());
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  WebElement active() {
    return driver.switchTo().activeElement();
  }

  /** A screenshot of the window into the file (documentation images, so they always show the current console). */
  void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteTree(profile.toFile());
    }
  }

  private static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }
}
