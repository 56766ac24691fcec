package io.latentflow.model.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CpuPeakTest {

    private static String processor(int id, String vendor, int family, int core, String mhz, String flags) {
        return "processor\t: " + id + "\nvendor_id\t: " + vendor + "\ncpu family\t: " + family
                + "\nmodel name\t: test\n" + (mhz == null ? "" : "cpu MHz\t\t: " + mhz + "\n")
                + "physical id\t: 0\ncore id\t\t: " + core + "\nflags\t\t: " + flags + "\n\n";
    }

    /** The project's machine: 2 cores of an AMD EPYC of family 19h (Zen 4) at 2596 MHz, with AVX-512. */
    @Test
    void countsZen4sAvx512AsTwo256BitFmaUnits() {
        String flags = "fpu sse sse2 fma avx avx2 avx512f avx512_bf16";
        String cpuinfo = processor(0, "AuthenticAMD", 25, 0, "2596.146", flags)
                + processor(1, "AuthenticAMD", 25, 1, "2596.146", flags);

        CpuPeak peak = CpuPeak.fromCpuinfo(cpuinfo, null, 2);

        assertThat(peak.gflops()).isCloseTo(2 * 2.596146 * 32, within(1e-9));
        assertThat(peak.derivation()).contains("2 cores").contains("2.596 GHz").contains("/proc/cpuinfo cpu MHz")
                .contains("32 FP32 FLOPs/cycle").contains("Zen 4");
    }

    @Test
    void countsOtherAvx512AsTwo512BitFmaUnitsAtTheMaximumClock() {
        String cpuinfo = processor(0, "GenuineIntel", 6, 0, "1200.000", "sse2 fma avx avx2 avx512f");

        CpuPeak peak = CpuPeak.fromCpuinfo(cpuinfo, 3500.0, 8);

        assertThat(peak.gflops()).as("one physical core, however many processors are available")
                .isCloseTo(1 * 3.5 * 64, within(1e-9));
        assertThat(peak.derivation()).contains("cpuinfo_max_freq").contains("2 FMA units assumed");
    }

    @Test
    void countsSmtSiblingsOnceAndAvx2AsTwo256BitFmaUnits() {
        String flags = "sse2 fma avx avx2";
        String cpuinfo = processor(0, "GenuineIntel", 6, 0, "3000.000", flags)
                + processor(1, "GenuineIntel", 6, 0, "3000.000", flags)
                + processor(2, "GenuineIntel", 6, 1, "3000.000", flags)
                + processor(3, "GenuineIntel", 6, 1, "3000.000", flags);

        CpuPeak peak = CpuPeak.fromCpuinfo(cpuinfo, null, 4);

        assertThat(peak.gflops()).isCloseTo(2 * 3.0 * 32, within(1e-9));
    }

    @Test
    void saysThePeakIsUnknownWithoutAClockAndTakesAGivenOne() {
        CpuPeak unknown = CpuPeak.fromCpuinfo(processor(0, "GenuineIntel", 6, 0, null, "avx2 fma"), null, 1);

        assertThat(unknown.gflops()).isNaN();
        assertThat(unknown.derivation()).contains("--peak-gflops");
        assertThat(CpuPeak.given(100).fractionOf(25)).isEqualTo(0.25);
        assertThatThrownBy(() -> CpuPeak.given(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--peak-gflops");
    }
}
