package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.cli.Latentflow;
import io.latentflow.model.Precision;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --precision} of the commands that run a job's models: auto by default, which is fp32 where bf16 was not
 * measured to pay, saying why; bf16 refused in one line, before anything starts, where the job's models could not
 * compute in it. The test JVM is not started in oneDNN's bf16 math (only the launcher does that, for bf16).
 */
class RunPrecisionTest {

    @TempDir
    Path work;

    @Test
    void runDefaultsToAutoWhichPicksFp32WhereBf16WasNotMeasuredToPayAndSaysWhy() {
        RunCommand run = (RunCommand) Latentflow.commandLine().parseArgs("run").subcommand().commandSpec()
                .userObject();

        Precision.Choice choice = run.precision.resolve(true);

        assertThat(choice.used()).isEqualTo(Precision.FP32);
        assertThat(choice.reason()).startsWith("auto: ");
        assertThat(choice.line()).startsWith("fp32 (auto: ");
    }

    @Test
    void fp32AskedForIsFp32() {
        RunCommand run = (RunCommand) Latentflow.commandLine().parseArgs("run", "--precision", "fp32").subcommand()
                .commandSpec().userObject();

        assertThat(run.precision.resolve(false).line()).isEqualTo("fp32 (asked for)");
    }

    @Test
    void anUnknownPrecisionIsAUsageErrorThatListsTheChoices() {
        StringWriter stderr = new StringWriter();

        int exit = execute(stderr, "run", "--state-dir", state(), "--precision", "fp16");

        assertThat(exit).isEqualTo(2);
        assertThat(stderr.toString()).contains("fp16").contains("fp32, bf16 or auto");
        assertThat(work.resolve("state")).doesNotExist();
    }

    @Test
    void bf16InAProcessNotStartedInOneDnnBf16MathIsRefusedSayingHowToStartIt() {
        StringWriter stderr = new StringWriter();

        int exit = execute(stderr, "run", "--state-dir", state(), "--precision", "bf16");

        assertThat(exit).isNotZero();
        assertThat(stderr.toString()).hasLineCount(1).contains("ONEDNN_DEFAULT_FPMATH_MODE=BF16")
                .contains("--precision fp32");
        assertThat(work.resolve("state")).doesNotExist();
    }

    @Test
    void bf16OnAClusterIsRefusedInOneLineBecauseItsTaskManagersAreOtherProcesses() {
        StringWriter stderr = new StringWriter();

        int exit = execute(stderr, "run", "--state-dir", state(), "--cluster", "--precision", "bf16");

        assertThat(exit).isNotZero();
        assertThat(stderr.toString()).hasLineCount(1).contains("bf16 runs only with the embedded Flink")
                .contains("--precision auto or fp32");
        assertThat(work.resolve("state")).doesNotExist();
    }

    @Test
    void replayOnAGivenFlinkRefusesBf16BeforeConnectingToAnything() {
        StringWriter stderr = new StringWriter();

        int exit = execute(stderr, "replay", "--state-dir", state(), "--flink", "http://127.0.0.1:9", "--models",
                "default", "--precision", "bf16");

        assertThat(exit).isNotZero();
        assertThat(stderr.toString()).hasLineCount(1).contains("bf16 runs only with the embedded Flink");
        assertThat(work.resolve("state")).doesNotExist();
    }

    private String state() {
        return work.resolve("state").toString();
    }

    private static int execute(StringWriter stderr, String... args) {
        return Latentflow.commandLine().setErr(new PrintWriter(stderr)).execute(args);
    }
}
