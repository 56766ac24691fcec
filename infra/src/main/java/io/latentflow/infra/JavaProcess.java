package io.latentflow.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A server of the local cluster as a {@code java} process of its own, its output in {@code <logDir>/<name>.out}: a
 * child that outlives the command that started it, so that {@code cluster restart} can start one again for a
 * {@code cluster up} that still runs, and a SIGKILL of it is a real crash of that server alone.
 */
public final class JavaProcess {

    private JavaProcess() {
    }

    /** Starts {@code java <jvmOptions> -cp <classpath> <mainClass> <arguments>}; waits for nothing. */
    public static Process start(Path logDir, String name, String classpath, List<String> jvmOptions, String mainClass,
                                List<String> arguments) {
        return start(logDir, name, classpath, jvmOptions, mainClass, arguments, Map.of());
    }

    /** Like {@link #start(Path, String, String, List, String, List)}, with {@code environment} on top of this one's. */
    public static Process start(Path logDir, String name, String classpath, List<String> jvmOptions, String mainClass,
                                List<String> arguments, Map<String, String> environment) {
        Path logs = logDir.toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dai.djl.offline=true");
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(arguments);
        try {
            Files.createDirectories(logs);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".out").toFile()));
            // see ./latentflow: spinning OpenMP threads starve each other on shared cores
            builder.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
            builder.environment().putAll(environment);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name + " process", e);
        }
    }

    /**
     * Starts a server whose main ends with {@link #ready}: the ready file's path is its last argument; returns once the
     * file is there, that is once the server serves.
     */
    static Process startServer(Path stateDir, String name, String classpath, Class<?> mainClass, List<String> arguments,
                               Duration timeout) throws IOException {
        Path logDir = stateDir.resolve("log");
        Path ready = stateDir.toAbsolutePath().resolve(name + ".ready");
        Files.createDirectories(stateDir);
        Files.deleteIfExists(ready);
        List<String> withReadyFile = new ArrayList<>(arguments);
        withReadyFile.add(ready.toString());
        Process process = start(logDir, name, classpath, loggingOptions(), mainClass.getName(), withReadyFile);
        await(process, name, () -> Files.exists(ready), "was not ready", logDir, timeout);
        return process;
    }

    /** Waits until {@code port} on loopback accepts connections. */
    static void awaitPort(Process process, String name, int port, Path logDir, Duration timeout) {
        await(process, name, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        }, "did not listen on 127.0.0.1:" + port, logDir, timeout);
    }

    /** Polls {@code ready}; fails at once when the process exits first, pointing at its output. */
    private static void await(Process process, String name, BooleanSupplier ready, String notReady, Path logDir,
                              Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the " + name + " process exited during start-up (exit code "
                        + process.exitValue() + "); see " + logDir.resolve(name + ".out"));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            sleep(Duration.ofMillis(300));
        }
        process.destroyForcibly();
        throw new IllegalStateException("the " + name + " process " + notReady + " within " + timeout + "; see "
                + logDir.resolve(name + ".out"));
    }

    /** What a server's main does once it serves: writes {@code readyFile}, then blocks until the JVM is stopped. */
    static void ready(Path readyFile, AutoCloseable server) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("stopping: " + e);
            }
        }, "stop-" + readyFile.getFileName()));
        Files.writeString(readyFile, Long.toString(ProcessHandle.current().pid()));
        new java.util.concurrent.CountDownLatch(1).await();
    }

    /** The log4j2 configuration this JVM runs with, handed on to a child so its logs look the same. */
    static List<String> loggingOptions() {
        String configuration = System.getProperty("log4j2.configurationFile");
        return configuration == null ? List.of() : List.of("-Dlog4j2.configurationFile=" + configuration);
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
