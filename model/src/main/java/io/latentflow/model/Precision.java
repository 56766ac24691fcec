package io.latentflow.model;

import ai.djl.Device;
import io.latentflow.model.bench.CpuModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The number format the encoder's and decoder's convolutions compute in ({@code --precision fp32|bf16|auto}). Stored
 * latents do not depend on it: they leave the network as float32 and are stored as fp16 either way.
 *
 * <p>bf16 is oneDNN's "fpmath mode": the float32 tensors stay float32, and oneDNN's convolutions and matmuls may round
 * their inputs and weights to bfloat16 and accumulate in float32 (oneDNN 3.7 does so for convolutions only on CPUs
 * with AMX); elsewhere they compute as before, so bf16 works everywhere, just without a speed-up. Norms, activations and the
 * latents' bound stay float32. Not bfloat16 tensors: DJL's PyTorch binding (0.36.0) maps no bfloat16 type, and
 * creating or casting to one aborts the JVM in native code. oneDNN reads the mode once per process from
 * {@value #FPMATH_ENV}, so the process must start with it: the {@code latentflow} launcher sets it for
 * {@code --precision bf16}, and this class checks that the process runs in the precision asked for.
 *
 * <p>Measured on a Zen 4 CPU (AVX512_BF16, no AMX): oneDNN 3.7 takes the mode but keeps its fp32 convolution kernels,
 * so bf16 pays nothing there, and {@link #AUTO} picks fp32 on every CPU and GPU measured so far, saying why
 * (docs/benchmarks.md, "bf16"). GPUs: oneDNN's mode is for CPUs; bf16 there is refused.
 */
public enum Precision {
    FP32,
    BF16,
    AUTO;

    /** oneDNN's process-wide default math mode; {@code BF16} lets float32 primitives compute in bfloat16. */
    public static final String FPMATH_ENV = "ONEDNN_DEFAULT_FPMATH_MODE";

    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    /** The precision used and, for the logs and {@code status}, why. */
    public record Choice(Precision used, String reason) {
        public String line() {
            return used.optionValue() + " (" + reason + ")";
        }
    }

    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32}, {@code bf16} or {@code auto}, as the command lines spell them. */
    public static Precision parse(String value) {
        for (Precision precision : values()) {
            if (precision.optionValue().equalsIgnoreCase(value.trim())) {
                return precision;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + value + "': use fp32, bf16 or auto");
    }

    /**
     * What the networks on {@code device} compute in, in this process.
     *
     * @throws UnsupportedOperationException where the process cannot compute in the precision asked for, with what
     *                                       to do instead
     */
    public Choice resolve(Device device) {
        return resolve(device, cpuFlags(CPU_INFO), System.getenv(FPMATH_ENV));
    }

    Choice resolve(Device device, Set<String> cpuFlags, String fpmathEnv) {
        boolean bf16Math = "BF16".equalsIgnoreCase(fpmathEnv == null ? "" : fpmathEnv.trim());
        if (device.isGpu() && this != FP32) {
            if (this == AUTO) {
                return new Choice(FP32, "auto: bf16 is not measured on a GPU");
            }
            throw new UnsupportedOperationException("--precision bf16 is for CPUs (oneDNN's bf16 math); on "
                    + device + " use --precision fp32 or auto");
        }
        if (this != BF16 && bf16Math) {
            // auto resolves to fp32 everywhere measured: reporting fp32 while oneDNN computes in bf16 would be a lie
            throw new UnsupportedOperationException("--precision " + optionValue() + " means fp32 here, but this"
                    + " process runs with " + FPMATH_ENV + "=" + fpmathEnv + ", which makes oneDNN compute in bf16:"
                    + " unset it, or use --precision bf16");
        }
        return switch (this) {
            case FP32 -> new Choice(FP32, "asked for");
            case BF16 -> {
                if (!bf16Math) {
                    throw new UnsupportedOperationException("--precision bf16 needs the process started with "
                            + FPMATH_ENV + "=BF16 (oneDNN reads it once): run it through the latentflow launcher,"
                            + " or set it yourself, or use --precision fp32");
                }
                yield new Choice(BF16, "asked for; " + bf16Effect(cpuFlags));
            }
            case AUTO -> new Choice(FP32, "auto: " + (cpuFlags.contains("amx_bf16")
                    ? "bf16 is not measured on an AMX CPU yet" : bf16Effect(cpuFlags)));
        };
    }

    /** What oneDNN 3.7 (PyTorch 2.7.1) does with bf16 math on a CPU with these flags, as measured. */
    private static String bf16Effect(Set<String> cpuFlags) {
        if (cpuFlags.contains("amx_bf16")) {
            return "this CPU has amx_bf16";
        }
        if (cpuFlags.contains("avx512_bf16")) {
            return "this CPU has avx512_bf16 but no AMX, and oneDNN's convolutions keep their fp32 kernels without"
                    + " AMX (measured: no speed-up, the same PSNR)";
        }
        return "this CPU has no bf16 instructions (avx512_bf16, amx_bf16), so oneDNN computes in fp32";
    }

    /** The first processor's feature flags in a /proc/cpuinfo file (empty where it cannot be read). */
    static Set<String> cpuFlags(Path cpuInfo) {
        return CpuModel.read(cpuInfo).flags();
    }
}
