package io.latentflow.cli.bench;

import io.latentflow.cli.Latentflow;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench model --precision}: refused before any model loads where the process cannot honour it. */
class ModelBenchmarkPrecisionTest {

    @Test
    void anUnknownPrecisionIsAUsageErrorThatListsTheChoices() {
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(err)).execute("bench", "model", "--precision",
                "fp16");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("fp32, bf16 or auto");
    }

    /** The test JVM is not started in oneDNN's bf16 math mode (only the launcher does that for bf16). */
    @Test
    void bf16OutsideTheLauncherIsRefusedSayingHowToStartIt() {
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(err)).execute("bench", "model", "--precision",
                "bf16");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("ONEDNN_DEFAULT_FPMATH_MODE=BF16").contains("--precision fp32");
    }
}
