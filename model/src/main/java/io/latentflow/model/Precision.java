package io.latentflow.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The number format the networks compute in ({@code --precision fp32|bf16|auto}). Stored latents do not depend on it:
 * they leave the network as float32 and are stored as fp16 either way.
 *
 * <p>bf16 is refused for now, on every device: DJL's PyTorch binding (0.36.0 in the pom) passes a data type to the
 * native side as an index that it maps for float32, float64, float16, the integer types and bool only. A bfloat16
 * tensor can be neither created nor cast to: the native side aborts the whole JVM ("terminate called without an
 * active exception"), which no Java code can catch. So bf16 is checked here, before anything reaches the engine, and
 * {@link #AUTO} picks fp32, saying why (docs/benchmarks.md, "bf16").
 */
public enum Precision {
    FP32,
    BF16,
    AUTO;

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
     * What the networks on {@code device} compute in.
     *
     * @throws UnsupportedOperationException for BF16, with what to use instead
     */
    public Choice resolve(Device device) {
        return resolve(device, cpuFlags(CPU_INFO));
    }

    Choice resolve(Device device, Set<String> cpuFlags) {
        return switch (this) {
            case FP32 -> new Choice(FP32, "asked for");
            case BF16 -> throw new UnsupportedOperationException("--precision bf16 cannot run here: "
                    + engineGap() + ". Use --precision fp32 or auto (docs/benchmarks.md, 'bf16').");
            case AUTO -> new Choice(FP32, "auto: " + autoReason(device, cpuFlags));
        };
    }

    private static String autoReason(Device device, Set<String> cpuFlags) {
        if (device.isGpu()) {
            return "bf16 not measured on a GPU, and " + engineGap();
        }
        if (!hasNativeBf16(cpuFlags)) {
            return "this CPU has no bf16 instructions (avx512_bf16, amx_bf16)";
        }
        return "this CPU has " + nativeBf16Flags(cpuFlags) + ", but " + engineGap();
    }

    private static String engineGap() {
        return "DJL " + Engine.getDjlVersion() + "'s PyTorch binding has no bfloat16 tensors (creating or casting to"
                + " one aborts the JVM)";
    }

    /** Whether a CPU with these flags computes bf16 dot products natively (AVX512_BF16 or AMX_BF16). */
    static boolean hasNativeBf16(Set<String> cpuFlags) {
        return !nativeBf16Flags(cpuFlags).isEmpty();
    }

    private static String nativeBf16Flags(Set<String> cpuFlags) {
        return Stream.of("avx512_bf16", "amx_bf16").filter(cpuFlags::contains).collect(Collectors.joining(", "));
    }

    /** The first processor's feature flags in a /proc/cpuinfo file (empty where it cannot be read). */
    static Set<String> cpuFlags(Path cpuInfo) {
        try (Stream<String> lines = Files.lines(cpuInfo)) {
            return lines.filter(line -> line.startsWith("flags"))
                    .findFirst()
                    .map(line -> Stream.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                            .collect(Collectors.toSet()))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }
}
