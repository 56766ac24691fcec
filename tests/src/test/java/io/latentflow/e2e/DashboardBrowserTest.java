package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentflow.dashboard.Dashboard;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.ServingModel;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.LatentStatsWindow;
import io.latentflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
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
 * windows are on {@code latent-stats}; the rest (photos, then photos from a broken camera), their latents and the
 * monitor's alerts are published while it is open, and the page must draw every window's points, list the alerts with
 * the statistics that moved, and show the worst images decoded from their latents. A screenshot is left at
 * {@code tests/target/dashboard.png}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

    private static final Path SAMPLES = Path.of(System.getProperty("latentflow.home"), "samples");
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png").toAbsolutePath();
    private static final int SIZE = 128;
    private static final int REFERENCE_IMAGES = 48;
    private static final int PER_WINDOW = 8;
    private static final int CALM_WINDOWS = 6;
    private static final int BROKEN_CAMERA_WINDOWS = 3;
    private static final AvroCodec<LatentRecord> LATENTS = AvroCodec.of(LatentRecord.class);
    private static final AvroCodec<LatentStatsWindow> WINDOWS = AvroCodec.of(LatentStatsWindow.class);
    private static final AvroCodec<DriftAlert> ALERTS = AvroCodec.of(DriftAlert.class);
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
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work);
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow")) {
            kafka.createTopics(1, Topics.LATENTS, Topics.LATENT_STATS, Topics.DRIFT_ALERTS);
            RealLatentWindows stream;
            try (ServingModel model = ServingModel.loadDefault()) {
                stream = RealLatentWindows.stream(model, SAMPLES, SIZE, REFERENCE_IMAGES, PER_WINDOW, CALM_WINDOWS,
                        BROKEN_CAMERA_WINDOWS, START, WINDOW, s3.settings(), work);
            }
            System.out.println("Browser test: drift scores " + java.util.stream.IntStream.range(0, stream.size())
                    .mapToObj(w -> String.format("%.2f", stream.window(w).getDriftScore())).toList()
                    + ", alerts " + stream.alerts().stream().map(a -> a.getWindowIndex() + ":" + a.getSeverity())
                    .toList());
            assertThat(stream.alerts()).as("the broken camera's windows raise an alert").isNotEmpty();
            int channels = stream.channels();

            try (Dashboard dashboard = Dashboard.start(kafka.settings(), s3.settings(), 0);
                 KafkaProducer<byte[], byte[]> pipeline = transactionalProducer(kafka)) {
                for (int w = 0; w < LOADED_BEFORE_THE_PAGE; w++) {
                    publishWindow(pipeline, stream, w);
                }
                ChromeDriver browser = HeadlessChromium.start(work.resolve("chromium-profile"), 1400, 1000);
                try {
                    long started = System.nanoTime();
                    browser.get(dashboard.url().toString());
                    await().atMost(Duration.ofSeconds(60)).until(() -> points(browser, "chart-mean")
                            == LOADED_BEFORE_THE_PAGE * (channels + 1));

                    for (int w = LOADED_BEFORE_THE_PAGE; w < stream.size(); w++) {
                        publishWindow(pipeline, stream, w);
                        Thread.sleep(700); // windows close one after another, not all at once
                    }

                    int all = stream.size();
                    int perSeries = all * (channels + 1); // each channel, and all channels pooled
                    await().atMost(Duration.ofSeconds(60)).until(() -> points(browser, "chart-mean") == perSeries);
                    assertThat(points(browser, "chart-std")).isEqualTo(perSeries);
                    assertThat(points(browser, "chart-range")).isEqualTo(perSeries);
                    assertThat(points(browser, "chart-drift")).isEqualTo(all);
                    LatentStatsWindow last = stream.window(all - 1);
                    assertThat(points(browser, "chart-quantiles")).isEqualTo(last.getQuantileRanks().size() * channels);
                    assertThat(points(browser, "chart-histogram"))
                            .isEqualTo(last.getChannels().get(0).getHistogram().size() * channels);
                    assertThat(browser.findElement(By.id("chart-drift")).getText())
                            .contains("warning threshold").contains("critical threshold");

                    List<DriftAlert> alerts = stream.alerts();
                    List<WebElement> rows = browser.findElements(By.cssSelector("#alerts tbody tr[data-severity]"));
                    assertThat(rows).hasSize(alerts.size());
                    DriftAlert newest = alerts.get(alerts.size() - 1);
                    assertThat(rows.get(0).getAttribute("data-severity")).isEqualTo(newest.getSeverity().name());
                    DriftAlert raised = alerts.get(0);
                    String firstRow = rows.get(rows.size() - 1).getText();
                    assertThat(firstRow).contains(raised.getMessage());
                    raised.getFindings().forEach(finding -> assertThat(firstRow.toUpperCase(Locale.ROOT))
                            .contains((finding.getChannel() < 0 ? "ALL CHANNELS" : "CH " + finding.getChannel()) + " "
                                    + finding.getStatistic().replace('_', ' ')));
                    assertThat(browser.findElement(By.id("state")).getAttribute("data-severity"))
                            .isEqualTo(newest.getSeverity().name());

                    int worst = last.getWorstImages().size();
                    await().atMost(Duration.ofSeconds(90)).until(() -> browser.findElements(
                            By.cssSelector("#worst img[data-loaded='true']")).size() == worst);
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

    /** As the pipeline does: the latents of a window's images, then its statistics, then any alert it changed. */
    private static void publishWindow(KafkaProducer<byte[], byte[]> producer, RealLatentWindows stream, int w) {
        producer.beginTransaction();
        for (LatentRecord latent : stream.latents(w)) {
            producer.send(new ProducerRecord<>(Topics.LATENTS, latent.getImageId().getBytes(StandardCharsets.UTF_8),
                    LATENTS.encode(latent)));
        }
        producer.commitTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(Topics.LATENT_STATS, WINDOWS.encode(stream.window(w))));
        stream.alertsOf(w).forEach(alert -> producer.send(new ProducerRecord<>(Topics.DRIFT_ALERTS,
                ALERTS.encode(alert))));
        producer.commitTransaction();
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
}
