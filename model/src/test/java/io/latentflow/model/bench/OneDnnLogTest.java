package io.latentflow.model.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OneDnnLogTest {

    private static final String CONV = "onednn_verbose,v1,primitive,exec,cpu,convolution,jit:avx512_core,"
            + "forward_inference,src:f32::blocked:aBcd16b::f0 dst:f32::blocked:aBcd16b::f0,,alg:convolution_direct,"
            + "mb2_ic16oc32_ih64oh32kh3sh2dh0ph1_iw64ow32kw3sw2dw0pw1,";
    private static final String REORDER = "onednn_verbose,v1,primitive,exec,cpu,reorder,jit:uni,undef,"
            + "src:f32::blocked:abcd::f0 dst:f32::blocked:aBcd16b::f0,,,2x16x64x64,";

    /** Two calls of one convolution and two reorders; the first call (primitive creation) is left out. */
    @Test
    void sumsByKindPerCallLeavingTheFirstCallOut() {
        List<String> lines = new ArrayList<>(List.of("onednn_verbose,v1,info,oneDNN v3.7.1", "result 1 2",
                CONV + "50.0", REORDER + "9.0", REORDER + "9.0"));
        lines.addAll(List.of(CONV + "2.0", REORDER + "0.5", REORDER + "0.25"));

        OneDnnLog log = OneDnnLog.parse(lines, 2);

        assertThat(log.primitivesPerCall()).isEqualTo(3);
        assertThat(log.millisByKind()).containsEntry("convolution", 2.0).containsEntry("reorder", 0.75);
        OneDnnLog.ConvolutionShape shape = log.convolutions().get(0);
        assertThat(shape.inputChannels()).isEqualTo(16);
        assertThat(shape.outputChannels()).isEqualTo(32);
        assertThat(shape.outputSide()).isEqualTo(32);
        assertThat(shape.stride()).isEqualTo(2);
        assertThat(shape.implementation()).isEqualTo("jit:avx512_core");
        // 2 images x 32 out x 32 x 32 positions x 16 in x 3 x 3 multiply-adds, 2 FLOPs each
        assertThat(shape.flopsPerExecution()).isEqualTo(2L * 2 * 32 * 32 * 32 * 16 * 9);
        assertThat(shape.achievedGflops()).isCloseTo(2.0 * 2 * 32 * 32 * 32 * 16 * 9 / 2e6, within(1e-9));
    }

    @Test
    void aLogThatDoesNotSplitIntoEqualCallsIsRefused() {
        assertThatThrownBy(() -> OneDnnLog.parse(List.of(CONV + "1", CONV + "1", REORDER + "1"), 2))
                .hasMessageContaining("3 executions for 2 calls");
    }
}
