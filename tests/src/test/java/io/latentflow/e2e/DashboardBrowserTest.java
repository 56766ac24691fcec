package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.dashboard.Dashboard;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.connections.S3Settings;
import io.latentflow.schemas.Topics;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The dashboard in a real browser while the real pipeline runs: {@code ./latentflow demo} streams the sample photos
 * and then photos from a broken camera (a sixth of the light) through the encode job and its drift monitor, on Kafka
 * and S3 the test started; headless Chromium has the dashboard open from before the first window. Without a reload,
 * the page must end with every window the monitor closed and every alert it raised (with the statistics that moved),
 * and show the worst images of the latest window decoded from their latents in S3. A screenshot is left
 * at {@code tests/target/dashboard.png}.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png").toAbsolutePath();
    private static final int RESOLUTION = 128;
    /** Three windows of the demo's 32 images. */
    private static final int BROKEN_CAMERA_IMAGES = 96;

    @TempDir
    Path work;

    @BeforeAll
    static void browser() throws Exception {
        HeadlessChromium.ensureInstalled();
    }

    @Test
    void thePageFollowsThePipelineWindowByWindowAndListsItsAlerts() throws Exception {
        Path brokenCamera = darkened(SAMPLES.resolve("photos"), work.resolve("broken-camera"), BROKEN_CAMERA_IMAGES);
        ExecutorService demoThread = Executors.newSingleThreadExecutor();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work);
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             Dashboard dashboard = Dashboard.start(kafka.settings(), s3.settings(), 0)) {
            kafka.createTopics(2, Topics.IMAGES, Topics.LATENTS, Topics.SHARDS, Topics.DEAD_LETTERS, Topics.LATENT_STATS,
                    Topics.DRIFT_ALERTS);
            ChromeDriver browser = HeadlessChromium.start(work.resolve("chromium-profile"), 1400, 1000);
            try {
                browser.get(dashboard.url().toString());
                long started = System.nanoTime();
                Future<JsonNode> demo = demoThread.submit(() -> demo(kafka, s3.settings(), brokenCamera));

                Set<Integer> pointsSeen = new TreeSet<>();
                while (!demo.isDone()) {
                    pointsSeen.add(points(browser, "chart-mean"));
                    Thread.sleep(500);
                }
                JsonNode summary = demo.get();
                System.out.printf("Browser test: demo ran %.1f s; the page showed %s mean points while it ran%n",
                        (System.nanoTime() - started) / 1e9, pointsSeen);

                int windows = summary.get("windows").asInt();
                JsonNode alerts = summary.get("alerts");
                assertThat(windows).isGreaterThanOrEqualTo(10);
                assertThat(alerts).as("the broken camera raises an alert").isNotEmpty();
                await().atMost(Duration.ofSeconds(60)).until(() -> points(browser, "chart-mean")
                        == windows * series(browser, "chart-mean"));
                int perWindow = series(browser, "chart-mean"); // each channel, and all channels pooled
                // Windows become visible as the job's checkpoints commit them: in one step or several, depending
                // on how fast it encodes. Either way they arrived after the page had loaded, and it never reloaded.
                assertThat(pointsSeen).as("the page was open before the first window").contains(0);
                assertThat(points(browser, "chart-std")).isEqualTo(windows * perWindow);
                assertThat(points(browser, "chart-range")).isEqualTo(windows * perWindow);
                assertThat(points(browser, "chart-drift")).isEqualTo(windows);
                assertThat(points(browser, "chart-quantiles")).isPositive();
                assertThat(points(browser, "chart-histogram")).isPositive();
                assertThat(browser.findElement(By.id("chart-drift")).getText())
                        .contains("warning threshold").contains("critical threshold");

                await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElements(
                        By.cssSelector("#alerts tbody tr[data-severity]")).size() == alerts.size());
                List<WebElement> rows = browser.findElements(By.cssSelector("#alerts tbody tr[data-severity]"));
                JsonNode newest = alerts.get(alerts.size() - 1);
                assertThat(rows.get(0).getAttribute("data-severity")).isEqualTo(newest.get("severity").asText());
                // textContent: findings beyond the first few are folded away, but listed
                String raisedRow = rows.get(rows.size() - 1).getAttribute("textContent").toUpperCase();
                alerts.get(0).get("findings").forEach(finding -> assertThat(raisedRow).contains(
                        finding.get("statistic").asText().replace('_', ' ')));
                assertThat(browser.findElement(By.id("state")).getAttribute("data-severity"))
                        .isEqualTo(newest.get("severity").asText());

                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    List<WebElement> images = browser.findElements(By.cssSelector("#worst img"));
                    return !images.isEmpty() && images.stream()
                            .allMatch(image -> "true".equals(image.getAttribute("data-loaded")));
                });
                assertThat(browser.findElements(By.cssSelector("#quantiles tbody tr")))
                        .hasSize(series(browser, "chart-quantiles"));
                assertThat(browser.findElement(By.id("samples")).getText()).as("the fine-tuning panel's sample count")
                        .startsWith("Training samples: ");
                assertThat(severeConsoleMessages(browser)).as("browser console errors").isEmpty();
                saveScreenshot(browser);
            } finally {
                browser.quit();
            }
        } finally {
            demoThread.shutdownNow();
        }
    }

    /** {@code ./latentflow demo} on the test's Kafka and S3 (Flink embedded): photos, then the broken camera. */
    private JsonNode demo(EmbeddedKafka kafka, S3Settings s3, Path brokenCamera) throws Exception {
        Path secret = Files.writeString(work.resolve("s3-secret"), s3.secretKey());
        return LatentflowCli.json("demo", "--kafka", kafka.bootstrapServers(), "--s3-endpoint", s3.endpoint(),
                "--s3-access-key", s3.accessKey(), "--s3-secret-key-file", secret.toString(), "--bucket", s3.bucket(),
                "--state-dir", work.resolve("state").toString(), "--resolution", String.valueOf(RESOLUTION),
                "--images", SAMPLES.resolve("photos").toString(), "--images", brokenCamera.toString(), "--json");
    }

    /** The first {@code count} photos as a camera with a sixth of the light delivers them. */
    private static Path darkened(Path photos, Path target, int count) throws Exception {
        Files.createDirectories(target);
        List<Path> files;
        try (Stream<Path> listed = Files.list(photos)) {
            files = listed.filter(Files::isRegularFile).sorted().limit(count).toList();
        }
        for (Path file : files) {
            BufferedImage image = ImageIO.read(file.toFile());
            BufferedImage dark = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int rgb = image.getRGB(x, y);
                    dark.setRGB(x, y, (((rgb >> 16) & 0xFF) / 6) << 16 | (((rgb >> 8) & 0xFF) / 6) << 8
                            | (rgb & 0xFF) / 6);
                }
            }
            ImageIO.write(dark, "jpg", target.resolve("dark-" + file.getFileName()).toFile());
        }
        return target;
    }

    private static int points(ChromeDriver browser, String chart) {
        return intAttribute(browser, chart, "data-points");
    }

    private static int series(ChromeDriver browser, String chart) {
        return intAttribute(browser, chart, "data-series");
    }

    private static int intAttribute(ChromeDriver browser, String id, String attribute) {
        String value = browser.findElement(By.id(id)).getAttribute(attribute);
        return value == null ? 0 : Integer.parseInt(value);
    }

    private static List<String> severeConsoleMessages(ChromeDriver browser) {
        List<String> severe = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER).getAll()) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(entry.getMessage());
            }
        }
        return severe;
    }

    private static void saveScreenshot(ChromeDriver browser) throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) { // the page reflows once the window is tall enough to hold it
            Number height = (Number) browser.executeScript("return document.documentElement.scrollHeight");
            Number inner = (Number) browser.executeScript("return window.innerHeight");
            Dimension outer = browser.manage().window().getSize();
            int chrome = outer.getHeight() - inner.intValue();
            browser.manage().window().setSize(new Dimension(1400, Math.min(5000, height.intValue() + chrome + 20)));
            Thread.sleep(500);
        }
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, browser.getScreenshotAs(OutputType.BYTES));
        System.out.println("Browser test: screenshot at " + SCREENSHOT);
    }
}
