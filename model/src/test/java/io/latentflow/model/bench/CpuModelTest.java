package io.latentflow.model.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CpuModelTest {

    private static final String ZEN4 = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: AMD EPYC
            flags\t\t: fpu sse2 fma avx avx2 avx512f avx512dq avx512_bf16 avx512_vnni

            processor\t: 1
            model name\t: another
            """;

    @Test
    void namesTheCpuAndTheFlagsThatChooseOneDnnsKernels() {
        CpuModel cpu = CpuModel.fromCpuinfo(ZEN4);

        assertThat(cpu.kernelFlags()).containsExactly("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni");
        assertThat(cpu.describe()).isEqualTo("AMD EPYC (family 25 model 17), flags avx2 fma avx512f avx512_bf16"
                + " avx512_vnni, no amx");
    }

    @Test
    void anAmxCpuSaysSo() {
        CpuModel cpu = CpuModel.fromCpuinfo("model name\t: Intel Xeon\nflags\t: avx2 fma avx512f amx_tile amx_bf16\n");

        assertThat(cpu.kernelFlags()).containsExactly("avx2", "fma", "avx512f", "amx_tile", "amx_bf16");
        assertThat(cpu.describe()).doesNotContain("no amx");
    }

    @Test
    void anUnreadableCpuinfoIsUnknownNotAFailure() {
        assertThat(CpuModel.read(Path.of("/no/such/cpuinfo")).name()).isEqualTo("unknown");
    }
}
