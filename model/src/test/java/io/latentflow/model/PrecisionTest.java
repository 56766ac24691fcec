package io.latentflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrecisionTest {

    private static final String ZEN4_FLAGS = "flags\t\t: fpu sse2 avx2 fma avx512f avx512bw avx512vl avx512_bf16";
    private static final String AVX2_ONLY_FLAGS = "flags\t\t: fpu sse2 avx avx2 fma";

    @TempDir
    Path dir;

    @Test
    void theCommandLineSpellingsParseAndAnUnknownOneSaysWhatToUse() {
        assertThat(Precision.parse("fp32")).isEqualTo(Precision.FP32);
        assertThat(Precision.parse(" BF16 ")).isEqualTo(Precision.BF16);
        assertThat(Precision.parse("auto")).isEqualTo(Precision.AUTO);
        assertThatThrownBy(() -> Precision.parse("fp16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fp16").hasMessageContaining("fp32, bf16 or auto");
    }

    @Test
    void bf16IsRefusedBeforeTheEngineSeesItOnEveryCpuSayingWhatToUse() throws IOException {
        for (String flags : new String[] {ZEN4_FLAGS, AVX2_ONLY_FLAGS}) {
            assertThatThrownBy(() -> Precision.BF16.resolve(Device.cpu(), Precision.cpuFlags(cpuInfo(flags))))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("bfloat16").hasMessageContaining("--precision fp32 or auto");
        }
    }

    @Test
    void autoPicksFp32AndSaysWhyForTheCpuAtHand() throws IOException {
        Precision.Choice zen4 = Precision.AUTO.resolve(Device.cpu(), Precision.cpuFlags(cpuInfo(ZEN4_FLAGS)));
        assertThat(zen4.used()).isEqualTo(Precision.FP32);
        assertThat(zen4.reason()).contains("avx512_bf16").contains("DJL");

        Precision.Choice avx2 = Precision.AUTO.resolve(Device.cpu(), Precision.cpuFlags(cpuInfo(AVX2_ONLY_FLAGS)));
        assertThat(avx2.used()).isEqualTo(Precision.FP32);
        assertThat(avx2.reason()).contains("no bf16 instructions");

        assertThat(Precision.AUTO.resolve(Device.cpu()).used()).isEqualTo(Precision.FP32);
        assertThat(Precision.FP32.resolve(Device.cpu()).line()).startsWith("fp32");
    }

    @Test
    void anUnreadableCpuInfoMeansNoFlags() {
        assertThat(Precision.cpuFlags(dir.resolve("missing"))).isEmpty();
        assertThat(Precision.hasNativeBf16(Precision.cpuFlags(dir.resolve("missing")))).isFalse();
    }

    /**
     * Why bf16 is refused, kept honest: a JVM that casts a tensor to bfloat16 dies in the engine's native code. When
     * a DJL upgrade makes it survive, this fails: lift the refusal in {@link Precision} and measure bf16.
     */
    @Test
    void theEngineStillAbortsOnABfloat16Tensor() throws Exception {
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Bf16CastProbe.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("probe.log").toFile()).start();
        assertThat(probe.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
        assertThat(probe.exitValue()).as("exit value of the probe; its output: %s",
                Files.readString(dir.resolve("probe.log"))).isNotZero();
        assertThat(Files.readString(dir.resolve("probe.log"))).contains("cast to bfloat16").doesNotContain("survived");
    }

    private Path cpuInfo(String flagsLine) throws IOException {
        Path file = Files.createTempFile(dir, "cpuinfo", "");
        Files.writeString(file, "processor\t: 0\nvendor_id\t: AuthenticAMD\n" + flagsLine + "\n\nprocessor\t: 1\n"
                + flagsLine + "\n");
        return file;
    }
}
