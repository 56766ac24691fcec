package io.latentflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.cli.Latentflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code bench scale} and {@code bench profile} refuse what they cannot honour before they start anything. */
class ScaleAndProfileOptionsTest {

    @Test
    void benchScaleChoosesTheParallelismItself() {
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(err)).execute("bench", "scale", "--parallelism",
                "2");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("parallelism 1 and 2 itself").contains("drop --parallelism");
    }

    @Test
    void benchProfileTakesTheEnvironmentAsNameEqualsValue() {
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(err)).execute("bench", "profile", "--env",
                "ONEDNN_MAX_CPU_ISA");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("'ONEDNN_MAX_CPU_ISA' is not NAME=VALUE");
    }
}
