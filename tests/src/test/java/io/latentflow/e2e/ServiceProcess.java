package io.latentflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.bench.support.CliProcess;
import io.latentflow.schemas.LatentRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code latentflow run} as its own java process, so that killing it kills the service, not a wrapper: what the
 * tests that stop, kill and restart the service share. Each process writes its output to {@code <work>/<name>.out}.
 */
final class ServiceProcess {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceProcess() {
    }

    /** Starts {@code latentflow <verb> --state-dir <state> --resolution 64 --no-dashboard <options>}; waits for nothing. */
    static Process launch(Path work, Path state, String name, String verb, String... options) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(verb, "--state-dir", state.toString(), "--resolution", "64",
                "--no-dashboard"));
        arguments.addAll(List.of(options));
        return launchCli(work, name, arguments);
    }

    /** Starts {@code latentflow <arguments>} as they are; waits for nothing. */
    static Process launchCli(Path work, String name, List<String> arguments) {
        return CliProcess.start(work, name, "2g", arguments);
    }

    /** Starts {@code latentflow run} and waits (2 minutes at most) until its {@code service.json} names it. */
    static Process start(Path work, Path state, String name, String... options) throws Exception {
        Process process = launch(work, state, name, "run", options);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(process.isAlive()).as("the service exited; its output: %s",
                    Files.readString(output(work, name))).isTrue();
            return Files.isRegularFile(state.resolve("service.json"))
                    && JSON.readTree(state.resolve("service.json").toFile()).path("pid").asLong() == process.pid();
        });
        return process;
    }

    /** SIGTERM, then wait for the savepoint and the orderly exit. */
    static void stop(Process service) throws Exception {
        service.destroy();
        if (!service.waitFor(2, TimeUnit.MINUTES)) {
            service.destroyForcibly().waitFor();
        }
    }

    /** The file a process started as {@code name} writes its output to. */
    static Path output(Path work, String name) {
        return work.resolve(name + ".out");
    }

    /** Waits until the running service's {@code latents} topic holds at least {@code count} committed records. */
    static List<LatentRecord> awaitLatents(Path state, int count) throws Exception {
        String kafka = JSON.readTree(state.resolve("service.json").toFile()).get("kafka").asText();
        return E2eImages.awaitLatents(kafka, count);
    }
}
