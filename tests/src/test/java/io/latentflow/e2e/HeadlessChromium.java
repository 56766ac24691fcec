package io.latentflow.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's Chromium and its ChromeDriver, installed with apt-get when missing, started headless with nothing that
 * phones home: the machines this runs on have no internet, and a browser trying to reach it fills the logs.
 */
final class HeadlessChromium {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final long INSTALL_TIMEOUT_MIN = 15;

    private HeadlessChromium() {
    }

    /** Installs chromium and chromium-driver if either is missing; skips the calling test when that is impossible. */
    static void ensureInstalled() throws IOException, InterruptedException {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        Path aptGet = Path.of("/usr/bin/apt-get");
        assumeTrue(Files.isExecutable(aptGet), "no " + CHROMIUM + " or " + CHROMEDRIVER + ", and no apt-get to install"
                + " them: install Debian's chromium and chromium-driver packages to run the browser test");
        assumeTrue(isRoot(), "no " + CHROMIUM + " or " + CHROMEDRIVER + ", and installing them needs root: run"
                + " 'apt-get install -y chromium chromium-driver' as root, then the test again");
        // apt's unprivileged _apt sandbox user cannot always write where apt-key needs to (seen here: a /dev/null
        // that is a plain root-owned file); as root, fetching as root is no loss.
        run(List.of("apt-get", "-o", "APT::Sandbox::User=root", "update"));
        run(List.of("apt-get", "-o", "APT::Sandbox::User=root", "install", "-y", "--no-install-recommends",
                "chromium", "chromium-driver"));
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "apt-get ran but " + CHROMIUM + " or " + CHROMEDRIVER + " is still missing");
    }

    /** A headless browser with a fresh profile in {@code profile}, its console kept for {@link LogType#BROWSER}. */
    static ChromeDriver start(Path profile, int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run", "--disable-quic",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=" + width + "," + height);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream()) // verbose, and says nothing an assertion does not
                .build();
        return new ChromeDriver(service, options);
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        return id.waitFor() == 0 && uid.equals("0");
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        File log = Files.createTempFile("apt-get-", ".log").toFile();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        if (!process.waitFor(INSTALL_TIMEOUT_MIN, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            assumeTrue(false, String.join(" ", command) + " did not finish in " + INSTALL_TIMEOUT_MIN + " min; see " + log);
        }
        assumeTrue(process.exitValue() == 0, String.join(" ", command) + " failed with exit code "
                + process.exitValue() + "; see " + log);
    }
}
