package io.latentflow.model.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The CPU's FP32 peak: cores x clock x FP32 FLOPs per cycle per core, from {@code /proc/cpuinfo} (and the maximum
 * clock in sysfs where readable), with how it was derived. What a benchmark's achieved GFLOP/s is a fraction of.
 *
 * @param gflops     the peak, NaN when it could not be derived (then pass {@code --peak-gflops})
 * @param derivation how: the figures and where each came from
 */
public record CpuPeak(double gflops, String derivation) {

    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final Path MAX_FREQ_KHZ = Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    /** AMD family 19h: Zen 3 (no AVX-512) and Zen 4, which runs 512-bit instructions on 256-bit units. */
    private static final int ZEN4_FAMILY = 0x19;

    /** A peak given by the user (a datasheet's, or one measured with a peak-FLOPs kernel). */
    public static CpuPeak given(double gflops) {
        if (!(gflops > 0) || Double.isInfinite(gflops)) {
            throw new IllegalArgumentException("--peak-gflops " + gflops + ": give the CPU's FP32 peak in GFLOP/s,"
                    + " a positive number");
        }
        return new CpuPeak(gflops, String.format(Locale.ROOT, "%.1f GFLOP/s, given (--peak-gflops)", gflops));
    }

    /** {@code achievedGflops} as a fraction of this peak; NaN when the peak is unknown. */
    public double fractionOf(double achievedGflops) {
        return achievedGflops / gflops;
    }

    /** This machine's, over the processors this JVM may use. */
    public static CpuPeak detect() {
        String cpuinfo;
        try {
            cpuinfo = Files.readString(CPUINFO);
        } catch (IOException e) {
            return new CpuPeak(Double.NaN, "unknown: " + CPUINFO + " is not readable (" + e.getMessage()
                    + "); pass --peak-gflops");
        }
        Double maxMhz = null;
        try {
            maxMhz = Long.parseLong(Files.readString(MAX_FREQ_KHZ).trim()) / 1000.0;
        } catch (IOException | NumberFormatException e) {
            // virtual machines often have no cpufreq: cpuinfo's clock stands in
        }
        return fromCpuinfo(cpuinfo, maxMhz, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param maxMhz         the maximum clock from sysfs, or null where not readable (then cpuinfo's "cpu MHz")
     * @param availableCores the processors this process may use; capped by the physical cores, since SMT siblings
     *                       share one core's FMA units
     */
    static CpuPeak fromCpuinfo(String cpuinfo, Double maxMhz, int availableCores) {
        String vendor = field(cpuinfo, "vendor_id");
        String family = field(cpuinfo, "cpu family");
        String mhzText = field(cpuinfo, "cpu MHz");
        String flagsText = field(cpuinfo, "flags");
        Set<String> flags = Set.of((flagsText != null ? flagsText : orEmpty(field(cpuinfo, "Features")))
                .split("\\s+"));

        int physical = physicalCores(cpuinfo);
        int cores = physical > 0 ? Math.min(availableCores, physical) : availableCores;
        String coreSource = physical > 0 ? "available processors " + availableCores + ", physical cores " + physical
                : "available processors";

        double mhz;
        String clockSource;
        if (maxMhz != null) {
            mhz = maxMhz;
            clockSource = "cpufreq cpuinfo_max_freq";
        } else if (mhzText != null) {
            mhz = Double.parseDouble(mhzText);
            clockSource = "/proc/cpuinfo cpu MHz";
        } else {
            return new CpuPeak(Double.NaN, "unknown: no clock in cpuinfo or cpufreq; pass --peak-gflops");
        }

        VectorUnit unit = VectorUnit.of(flags, "AuthenticAMD".equals(vendor)
                && String.valueOf(ZEN4_FAMILY).equals(family));
        double gflops = cores * mhz / 1000 * unit.flopsPerCycle();
        return new CpuPeak(gflops, String.format(Locale.ROOT, "%d cores (%s) x %.3f GHz (%s) x %d FP32 FLOPs/cycle"
                        + " (%s) = %.1f GFLOP/s", cores, coreSource, mhz / 1000, clockSource, unit.flopsPerCycle(),
                unit.description(), gflops));
    }

    /**
     * FP32 FLOPs per cycle of one core, from its widest vector instructions, assuming 2 vector FMA units per core (as
     * server cores since Haswell and Zen have; some Xeon Silver and Bronze have one 512-bit unit: override there).
     */
    private record VectorUnit(int units, int lanes, boolean fma, String description) {

        int flopsPerCycle() {
            return units * lanes * (fma ? 2 : 1);
        }

        static VectorUnit of(Set<String> flags, boolean amdZen4) {
            if (flags.contains("avx512f") && amdZen4) {
                return new VectorUnit(2, 8, true, "avx512f on AMD family 19h (Zen 4): 512-bit instructions run as two"
                        + " halves on 2 x 256-bit FMA units, 2 x 8 lanes x 2");
            }
            if (flags.contains("avx512f")) {
                return new VectorUnit(2, 16, true, "avx512f: 2 FMA units assumed x 16 lanes x 2");
            }
            if (flags.contains("avx2") && flags.contains("fma")) {
                return new VectorUnit(2, 8, true, "avx2+fma: 2 FMA units assumed x 8 lanes x 2");
            }
            if (flags.contains("avx")) {
                return new VectorUnit(2, 8, false, "avx without fma: an add and a multiply unit x 8 lanes");
            }
            if (flags.contains("asimd")) {
                return new VectorUnit(2, 4, true, "asimd (NEON): 2 FMA units assumed x 4 lanes x 2");
            }
            if (flags.contains("sse2")) {
                return new VectorUnit(2, 4, false, "sse2: an add and a multiply unit x 4 lanes");
            }
            return new VectorUnit(1, 1, true, "no known vector flags: one scalar FMA");
        }
    }

    /** Distinct (physical id, core id) pairs; 0 where cpuinfo does not say (ARM, some VMs). */
    private static int physicalCores(String cpuinfo) {
        Set<String> cores = new HashSet<>();
        for (String processor : cpuinfo.split("\\n\\s*\\n")) {
            String socket = field(processor, "physical id");
            String core = field(processor, "core id");
            if (socket != null && core != null) {
                cores.add(socket + "/" + core);
            }
        }
        return cores.size();
    }

    /** The first value of {@code name} (cpuinfo's "name<tabs>: value" lines). */
    private static String field(String cpuinfo, String name) {
        for (String line : cpuinfo.split("\\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
