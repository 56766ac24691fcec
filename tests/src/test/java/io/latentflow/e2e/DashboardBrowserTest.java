package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentflow.dashboard.Dashboard;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.ServingModel;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * The dashboard in a real browser while windows keep arriving: headless Chromium loads the page after the first few
 * windows are on {@code latent-stats}, the rest (photos, then photos from a broken camera) and a drift alert are published while it
 * is open, and the page must draw every window's points, list the alert with the channels that moved, and show the
 * worst images decoded from their latents. A screenshot is left at {@code tests/target/dashboard.png}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png").toAbsolutePath();
    private static final int SIZE = 128;
    private static final int PER_WINDOW = 8;
    private static final int PHOTO_WINDOWS = 6;
    private static final int BROKEN_CAMERA_WINDOWS = 3;
    private static final int LOADED_BEFORE_THE_PAGE = 3;
    private static final Instant START = Instant.parse("2026-01-01T09:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(1);

    @TempDir
    Path work;

    @BeforeAll
    static void browser() throws Exception {
        HeadlessChromium.ensureInstalled();
    }

    @Test
    void thePageDrawsWindowsAsTheyArriveAndListsTheAlert() throws Exception {
        AvroCodec<LatentStatsWindow> windowCodec = AvroCodec.of(LatentStatsWindow.class);
        AvroCodec<DriftAlert> alertCodec = AvroCodec.of(DriftAlert.class);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work);
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            kafka.createTopics(1, Topics.LATENT_STATS, Topics.DRIFT_ALERTS);
            RealLatentWindows windows;
            try (ServingModel model = ServingModel.loadDefault()) {
                windows = RealLatentWindows.encode(model, SAMPLES, SIZE, PER_WINDOW, PHOTO_WINDOWS,
                        BROKEN_CAMERA_WINDOWS, s3.settings(), work);
            }
            double calm = 0;
            StringBuilder scores = new StringBuilder();
            for (int w = 0; w < windows.size(); w++) {
                scores.append(String.format(" %.3f", windows.driftScore(w)));
                calm = w < PHOTO_WINDOWS ? Math.max(calm, windows.driftScore(w)) : calm;
            }
            System.out.println("Browser test: drift scores of the windows:" + scores);
            double switched = windows.driftScore(PHOTO_WINDOWS);
            assertThat(switched).as("the broken camera's latents differ from the photos' (max photo score %s)", calm)
                    .isGreaterThan(calm);
            double warning = (calm + switched) / 2; // a monitor's threshold sits between what is normal and what is not
            double critical = 2 * warning;
            int channels = windows.channels();

            try (Dashboard dashboard = Dashboard.start(kafka.settings(), s3.settings(), 0);
                 KafkaProducer<byte[], byte[]> monitor = transactionalProducer(kafka)) {
                for (int w = 0; w < LOADED_BEFORE_THE_PAGE; w++) {
                    publish(monitor, Topics.LATENT_STATS, windowCodec.encode(windows.window(w, START, WINDOW)));
                }
                ChromeDriver browser = HeadlessChromium.start(work.resolve("chromium-profile"), 1400, 1000);
                try {
                    long started = System.nanoTime();
                    browser.get(dashboard.url().toString());
                    await().atMost(Duration.ofSeconds(60)).until(() -> points(browser, "chart-mean")
                            == LOADED_BEFORE_THE_PAGE * channels);

                    for (int w = LOADED_BEFORE_THE_PAGE; w < windows.size(); w++) {
                        publish(monitor, Topics.LATENT_STATS, windowCodec.encode(windows.window(w, START, WINDOW)));
                        if (w == PHOTO_WINDOWS) {
                            publish(monitor, Topics.DRIFT_ALERTS,
                                    alertCodec.encode(windows.alert(w, START, WINDOW, warning, critical)));
                        }
                        Thread.sleep(700); // windows close one after another, not all at once
                    }

                    int all = windows.size();
                    await().atMost(Duration.ofSeconds(60)).until(() -> points(browser, "chart-mean") == all * channels);
                    assertThat(points(browser, "chart-std")).isEqualTo(all * channels);
                    assertThat(points(browser, "chart-range")).isEqualTo(all * channels);
                    assertThat(points(browser, "chart-drift")).isEqualTo(all);
                    assertThat(points(browser, "chart-histogram")).isEqualTo(RealLatentWindows.BINS * channels);
                    assertThat(browser.findElement(By.id("chart-drift")).getText())
                            .contains("warning threshold").contains("critical threshold");

                    List<WebElement> alerts = browser.findElements(By.cssSelector("#alerts tbody tr[data-severity]"));
                    assertThat(alerts).hasSize(1);
                    assertThat(alerts.get(0).getText()).contains(windows.alert(PHOTO_WINDOWS, START, WINDOW, warning,
                            critical).getMessage()).containsAnyOf("mean shift", "variance ratio");
                    assertThat(browser.findElement(By.id("state")).getAttribute("data-severity"))
                            .isIn("WARNING", "CRITICAL");

                    await().atMost(Duration.ofSeconds(90)).until(() -> browser.findElements(
                            By.cssSelector("#worst img[data-loaded='true']")).size() == RealLatentWindows.WORST_PER_WINDOW);
                    assertThat(browser.findElements(By.cssSelector("#worst img[data-loaded='false']"))).isEmpty();
                    assertThat(browser.findElements(By.cssSelector("#quantiles tbody tr"))).hasSize(channels);
                    System.out.printf("Browser test: page live for %.1f s%n", (System.nanoTime() - started) / 1e9);

                    assertThat(severeConsoleMessages(browser)).as("browser console errors").isEmpty();
                    saveScreenshot(browser);
                } finally {
                    browser.quit();
                }
            }
        }
    }

    private static int points(ChromeDriver browser, String chart) {
        String points = browser.findElement(By.id(chart)).getAttribute("data-points");
        return points == null ? 0 : Integer.parseInt(points);
    }

    private static List<String> severeConsoleMessages(ChromeDriver browser) {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
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

    /** Like the monitor: each window committed in its own transaction. */
    private static KafkaProducer<byte[], byte[]> transactionalProducer(EmbeddedKafka kafka) {
        Properties config = kafka.settings().clientProperties();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "dashboard-browser-test");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static void publish(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value) {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, value));
        producer.commitTransaction();
    }
}
