package io.qkms.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium for browser tests, driven by Selenium through the system's chromedriver:
 * Debian's {@code chromium} and {@code chromium-driver} ({@code /usr/bin/chromium}, {@code
 * /usr/bin/chromedriver}; the system properties {@code qkms.chromium} and {@code qkms.chromedriver}
 * point elsewhere). Both paths are given to Selenium, so it never runs Selenium Manager, which
 * would download a browser or a driver.
 *
 * <p>One per test class (a browser takes a second or two to start): {@link #start()} in
 * {@code @BeforeAll}, {@link #close()} in {@code @AfterAll}. Where Chromium is missing the test is
 * skipped, saying why; under {@code CI=true} it fails instead, since CI installs it.
 *
 * <p>The browser runs with a fresh profile in a temporary directory (deleted on close), without
 * first-run pages, sync, component updates or background requests, so that the only requests it
 * makes are the ones the test makes it make.
 */
public final class HeadlessChromium implements AutoCloseable {
  /** How long {@link #waitUntil} waits, and the page-load and script timeouts. */
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static final Path CHROMIUM =
      Path.of(System.getProperty("qkms.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER =
      Path.of(System.getProperty("qkms.chromedriver", "/usr/bin/chromedriver"));

  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Starts a headless Chromium with a 1280x1000 window; skips the test (fails it under {@code
   * CI=true}) if Chromium or chromedriver is not installed.
   */
  public static HeadlessChromium start() {
    assumeInstalled();
    Path profile;
    try {
      profile = Files.createTempDirectory("qkms-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        // As root (CI containers) Chromium refuses to start sandboxed; it only opens local pages.
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--disable-features=Translate,OptimizationHints,MediaRouter",
        "--window-size=1280,1000",
        "--user-data-dir=" + profile);
    // The page's console messages (script errors, Content-Security-Policy violations) for the test.
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogOutput(OutputStream.nullOutputStream())
            .build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      deleteTree(profile);
      throw e;
    }
    driver.manage().timeouts().pageLoadTimeout(TIMEOUT);
    driver.manage().timeouts().scriptTimeout(TIMEOUT);
    return new HeadlessChromium(driver, profile);
  }

  /** Whether Chromium and chromedriver are there. */
  public static boolean isInstalled() {
    return missing() == null;
  }

  /**
   * Skips the calling test (fails it under {@code CI=true}) if the browser is not installed. Call
   * it in {@code @BeforeEach}, so that every test is reported as skipped, with the reason; a class
   * whose {@code @BeforeAll} skips reports no test at all.
   */
  public static void assumeInstalled() {
    String missing = missing();
    if (missing == null) {
      return;
    }
    String why =
        missing
            + " not installed: the browser tests need Debian's chromium and chromium-driver"
            + " (apt-get install chromium chromium-driver; .ci/run installs them)";
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(why + "; under CI=true a missing browser fails the build");
    }
    Assumptions.abort(why);
  }

  private static String missing() {
    return Stream.of(CHROMIUM, CHROMEDRIVER)
        .filter(p -> !Files.isExecutable(p))
        .map(Path::toString)
        .reduce((a, b) -> a + " and " + b)
        .orElse(null);
  }

  public WebDriver driver() {
    return driver;
  }

  /**
   * Runs {@code script} in the page (with {@code args} as {@code arguments}); returns its value.
   */
  public Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /**
   * Runs an asynchronous {@code script}: the last of {@code arguments} is the callback it must call
   * with its result.
   */
  public Object asyncScript(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  /**
   * Waits (at most {@link #TIMEOUT}) until {@code condition} returns a value other than null/false.
   */
  public <T> T waitUntil(Function<WebDriver, T> condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        T value = condition.apply(driver);
        if (value != null && !Boolean.FALSE.equals(value)) {
          return value;
        }
      } catch (NoSuchElementException | StaleElementReferenceException e) {
        last = e; // the page is changing: try again
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "waited " + TIMEOUT.toSeconds() + " s for a condition in " + driver.getCurrentUrl(),
            last);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Sets the window's size (for narrow-screen layouts). */
  public void windowSize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /**
   * A PNG of the viewport into {@code dir/name.png}; with {@code fullPage} the window is first made
   * as tall as the page (then restored), so the whole page is in the picture.
   */
  public Path screenshot(Path dir, String name, boolean fullPage) {
    Dimension before = driver.manage().window().getSize();
    try {
      if (fullPage) {
        long height =
            ((Number) script("return Math.ceil(document.documentElement.scrollHeight);"))
                .longValue();
        long chrome =
            before.getHeight() - ((Number) script("return window.innerHeight;")).intValue();
        driver
            .manage()
            .window()
            .setSize(new Dimension(before.getWidth(), (int) Math.min(8000, height + chrome)));
      }
      byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
      Files.createDirectories(dir);
      Path file = dir.resolve(name + ".png");
      Files.write(file, png);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (fullPage) {
        driver.manage().window().setSize(before);
      }
    }
  }

  /** Messages the page logged to its console at level SEVERE (errors, CSP violations). */
  public List<String> consoleErrors() {
    return driver.manage().logs().get("browser").getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(e -> e.getMessage())
        .toList();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      // a temporary directory left behind is no reason to fail a test
    }
  }
}
