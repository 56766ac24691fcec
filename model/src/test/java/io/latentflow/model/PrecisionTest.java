package io.latentflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.latentflow.model.bench.Iterations;
import io.latentflow.model.bench.PrecisionComparison;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
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
    void bf16NeedsTheProcessStartedInOneDnnBf16MathAndSaysHow() throws IOException {
        assertThatThrownBy(() -> Precision.BF16.resolve(Device.cpu(), flags(ZEN4_FLAGS), null))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("ONEDNN_DEFAULT_FPMATH_MODE=BF16").hasMessageContaining("--precision fp32");
        assertThat(Precision.BF16.resolve(Device.cpu(), flags(ZEN4_FLAGS), "BF16").used()).isEqualTo(Precision.BF16);
    }

    @Test
    void bf16StillWorksOnACpuWithoutBf16InstructionsAndSaysItComputesInFp32() throws IOException {
        Precision.Choice avx2 = Precision.BF16.resolve(Device.cpu(), flags(AVX2_ONLY_FLAGS), "BF16");
        assertThat(avx2.used()).isEqualTo(Precision.BF16);
        assertThat(avx2.reason()).contains("no bf16 instructions");
    }

    @Test
    void fp32IsRefusedInAProcessWhoseMathIsBf16() {
        assertThatThrownBy(() -> Precision.FP32.resolve(Device.cpu(), Set.of(), "bf16"))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("unset it");
    }

    /** auto would say fp32 while oneDNN computes in bf16: what status shows must be what runs. */
    @Test
    void autoIsRefusedInAProcessWhoseMathIsBf16() throws IOException {
        assertThatThrownBy(() -> Precision.AUTO.resolve(Device.cpu(), flags(ZEN4_FLAGS), "BF16"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("--precision auto means fp32 here").hasMessageContaining("unset it");
    }

    @Test
    void autoPicksFp32WhereBf16WasNotMeasuredToPayAndSaysWhy() throws IOException {
        Precision.Choice zen4 = Precision.AUTO.resolve(Device.cpu(), flags(ZEN4_FLAGS), null);
        assertThat(zen4.used()).isEqualTo(Precision.FP32);
        assertThat(zen4.reason()).contains("avx512_bf16").contains("no AMX");

        Precision.Choice amx = Precision.AUTO.resolve(Device.cpu(), flags(ZEN4_FLAGS + " amx_bf16"), null);
        assertThat(amx.used()).isEqualTo(Precision.FP32);
        assertThat(amx.reason()).contains("not measured");

        Precision.Choice avx2 = Precision.AUTO.resolve(Device.cpu(), flags(AVX2_ONLY_FLAGS), null);
        assertThat(avx2.used()).isEqualTo(Precision.FP32);
        assertThat(avx2.reason()).contains("no bf16 instructions");
    }

    @Test
    void onAGpuBf16IsRefusedAndAutoIsFp32() throws IOException {
        assertThatThrownBy(() -> Precision.BF16.resolve(Device.gpu(), flags(ZEN4_FLAGS), "BF16"))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("for CPUs");
        assertThat(Precision.AUTO.resolve(Device.gpu(), flags(ZEN4_FLAGS), "BF16").used())
                .isEqualTo(Precision.FP32);
    }

    /**
     * The same photos' latents from an fp32 process and a bf16 process agree within 0.05 (latents are bounded to
     * [-1, 1]; bf16 keeps 8 significant bits, about 0.4 % of a value, and the encoder's convolutions add up such
     * errors). On a CPU without bf16 instructions the two are identical, which the bound also holds.
     */
    @Test
    void bf16LatentsAgreeWithFp32WithinTheStatedTolerance() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (Path photo : SampleTiles.of("unseen-photos", "ColorfulCups").subList(0, 4)) {
            Files.copy(photo, photos.resolve(photo.getFileName()));
        }
        float[] fp32 = latents(Precision.FP32, photos);
        float[] bf16 = latents(Precision.BF16, photos);
        assertThat(fp32).isNotEmpty();
        assertThat(bf16).hasSameSizeAs(fp32);
        double worst = 0;
        for (int i = 0; i < fp32.length; i++) {
            worst = Math.max(worst, Math.abs(fp32[i] - bf16[i]));
        }
        assertThat(worst).as("largest |bf16 - fp32| over %d latent values", fp32.length).isLessThanOrEqualTo(0.05);
    }

    private float[] latents(Precision precision, Path photos) throws IOException {
        Path out = dir.resolve(precision.optionValue() + ".latents");
        PrecisionComparison.Run run = PrecisionComparison.run(precision, photos, 64, 4, 1, new Iterations(0, 1), out);
        assertThat(run.precision()).isEqualTo(precision.optionValue());
        try (DataInputStream in = new DataInputStream(Files.newInputStream(out))) {
            float[] values = new float[(int) (Files.size(out) / Float.BYTES)];
            for (int i = 0; i < values.length; i++) {
                values[i] = in.readFloat();
            }
            return values;
        }
    }

    @Test
    void anUnreadableCpuInfoMeansNoFlags() {
        assertThat(Precision.cpuFlags(dir.resolve("missing"))).isEmpty();
        assertThat(Precision.AUTO.resolve(Device.cpu(), Precision.cpuFlags(dir.resolve("missing")), null).reason())
                .contains("no bf16 instructions");
    }

    /**
     * Why bf16 is oneDNN's math mode rather than bfloat16 tensors: a JVM that casts a tensor to bfloat16 dies in the
     * engine's native code. When a DJL upgrade makes it survive, this fails: bfloat16 tensors (norms and activations
     * in bf16 too) are then worth measuring against the math mode.
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

    private Set<String> flags(String flagsLine) throws IOException {
        return Precision.cpuFlags(cpuInfo(flagsLine));
    }

    private Path cpuInfo(String flagsLine) throws IOException {
        Path file = Files.createTempFile(dir, "cpuinfo", "");
        Files.writeString(file, "processor\t: 0\nvendor_id\t: AuthenticAMD\n" + flagsLine + "\n\nprocessor\t: 1\n"
                + flagsLine + "\n");
        return file;
    }
}
