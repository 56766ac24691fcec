package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.cli.Latentflow;
import io.latentflow.cli.stack.ClusterBusyException;
import io.latentflow.cli.stack.ClusterChangeLock;
import io.latentflow.cli.stack.ClusterFile;
import io.latentflow.cli.stack.ServiceLock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cluster up}, {@code restart} and {@code down} change the cluster one at a time: a second one while another
 * holds the cluster folder says who holds it and exits 2, and leaves {@code cluster.json} alone.
 */
class ClusterChangeLockTest {

    @TempDir
    Path state;

    @Test
    void aClusterDownInAnotherProcessWhileARestartHoldsTheFolderIsRefusedAndStopsNothing() throws Exception {
        Path clusterFile = ClusterFile.in(state);
        new ClusterFile("http://127.0.0.1:1", true, List.of(), List.of(), null, null, null).write(clusterFile);

        try (ServiceLock restarting = ClusterChangeLock.take(state, "cluster restart kafka", new PrintWriter(
                new StringWriter()))) {
            Process down = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Latentflow.class.getName(), "cluster", "down",
                    "--state-dir", state.toString()).redirectErrorStream(true).start();
            String said = new String(down.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(down.waitFor(2, TimeUnit.MINUTES)).isTrue();

            assertThat(down.exitValue()).as(said).isEqualTo(ClusterBusyException.EXIT_CODE);
            assertThat(said).contains("another command is changing the cluster",
                    "pid " + ProcessHandle.current().pid(), "cluster restart kafka", "wait until it has finished");
            assertThat(clusterFile).as("cluster down left it alone").exists();
        }

        assertThat(run("cluster", "down", "--state-dir", state.toString())).isZero();
        assertThat(clusterFile).doesNotExist();
    }

    @Test
    void aRestartWhileAnotherCommandChangesTheClusterExitsTwo() throws Exception {
        new ClusterFile("http://127.0.0.1:1", true, List.of(), List.of(), null, null, null)
                .write(ClusterFile.in(state));
        StringWriter err = new StringWriter();

        try (ServiceLock stopping = ClusterChangeLock.take(state, "cluster down", new PrintWriter(err))) {
            assertThat(run(err, "cluster", "restart", "kafka", "--state-dir", state.toString()))
                    .isEqualTo(ClusterBusyException.EXIT_CODE);
        }
        assertThat(err.toString()).contains("latentflow restart: another command is changing the cluster");
    }

    @Test
    void aSecondClusterUpOnOneFolderExitsTwoAndSaysWhichRuns() {
        StringWriter err = new StringWriter();
        try (ServiceLock up = ClusterChangeLock.takeCluster(state, new PrintWriter(err))) {
            up.address("flink", "http://127.0.0.1:8081");
            assertThat(run(err, "cluster", "up", "--state-dir", state.toString()))
                    .isEqualTo(ClusterBusyException.EXIT_CODE);
        }
        assertThat(err.toString()).contains("a cluster already runs from", "flink http://127.0.0.1:8081",
                "cluster down");
    }

    private static int run(String... arguments) {
        return run(new StringWriter(), arguments);
    }

    private static int run(StringWriter err, String... arguments) {
        CommandLine command = Latentflow.commandLine().setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true));
        return command.execute(arguments);
    }
}
