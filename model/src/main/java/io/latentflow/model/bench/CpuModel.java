package io.latentflow.model.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which CPU a figure was measured on: its model name, family and model numbers, and the vector flags that decide which
 * kernels oneDNN runs (so a figure from another machine can be told apart).
 *
 * @param flags every flag of the first processor in {@code /proc/cpuinfo}
 */
public record CpuModel(String name, String family, String model, Set<String> flags) {

    static final Path CPUINFO = Path.of("/proc/cpuinfo");

    /** The flags that choose oneDNN's FP32 and bf16 kernels, in the order they are printed. */
    static final List<String> KERNEL_FLAGS = List.of("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni",
            "amx_tile", "amx_bf16", "amx_int8");

    public CpuModel {
        flags = Set.copyOf(flags);
    }

    /** This machine's; "unknown" fields where {@code /proc/cpuinfo} cannot be read. */
    public static CpuModel detect() {
        return read(CPUINFO);
    }

    public static CpuModel read(Path cpuinfo) {
        try {
            return fromCpuinfo(Files.readString(cpuinfo));
        } catch (IOException | RuntimeException e) {
            return new CpuModel("unknown", "?", "?", Set.of());
        }
    }

    static CpuModel fromCpuinfo(String cpuinfo) {
        String firstProcessor = cpuinfo.split("\\n\\s*\\n")[0];
        String flags = field(firstProcessor, "flags", field(firstProcessor, "Features", ""));
        return new CpuModel(field(firstProcessor, "model name", "unknown"), field(firstProcessor, "cpu family", "?"),
                field(firstProcessor, "model", "?"), Stream.of(flags.split("\\s+")).filter(f -> !f.isEmpty())
                .collect(Collectors.toSet()));
    }

    /** Which of {@link #KERNEL_FLAGS} this CPU has. */
    public List<String> kernelFlags() {
        return KERNEL_FLAGS.stream().filter(flags::contains).toList();
    }

    /** One line: {@code AMD EPYC (family 25 model 17), flags avx2 fma avx512f avx512_bf16 avx512_vnni, no amx}. */
    public String describe() {
        boolean amx = flags.stream().anyMatch(flag -> flag.startsWith("amx"));
        return String.format(Locale.ROOT, "%s (family %s model %s), flags %s%s", name, family, model,
                String.join(" ", kernelFlags()), amx ? "" : ", no amx");
    }

    /** The value of the first "name<tabs>: value" line, or {@code otherwise}. */
    private static String field(String processor, String name, String otherwise) {
        for (String line : processor.split("\\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return otherwise;
    }
}
