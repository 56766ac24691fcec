package io.latentflow.model.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpTraceTest {

    @TempDir
    Path dir;

    /** conv2d (10 us) calls mkldnn_convolution (8 us); then a sigmoid (3 us) on its own: self times 2, 8 and 3. */
    @Test
    void selfTimesLeaveOutWhatNestedOperatorsTook() throws Exception {
        Path trace = Files.writeString(dir.resolve("trace.json"), """
                {"traceEvents": [
                  {"name": "aten::conv2d", "ph": "X", "ts": 100, "dur": 10, "tid": 1},
                  {"name": "aten::mkldnn_convolution", "ph": "X", "ts": 101, "dur": 8, "tid": 1},
                  {"name": "aten::sigmoid", "ph": "X", "ts": 110, "dur": 3, "tid": 1},
                  {"name": "a counter", "ph": "C", "ts": 100, "tid": 1}
                ]}
                """);

        OpTrace ops = OpTrace.read(trace, 1);

        assertThat(ops.selfMillisByOp()).containsExactly(java.util.Map.entry("aten::mkldnn_convolution", 0.008),
                java.util.Map.entry("aten::sigmoid", 0.003), java.util.Map.entry("aten::conv2d", 0.002));
        assertThat(EncoderProfile.kindOf("aten::native_layer_norm")).startsWith("group norm");
    }
}
