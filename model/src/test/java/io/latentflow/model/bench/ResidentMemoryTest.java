package io.latentflow.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

class ResidentMemoryTest {

    private static final long MIB = 1 << 20;

    /**
     * A benchmark measures the resident peak of one phase after another in the same process: the peak of a phase
     * that came before (here 256 MiB of PyTorch memory, freed again) must not show in the next.
     */
    @Test
    void resetPeakForgetsTheNativeMemoryOfAnEarlierPhase() {
        assumeThat(ResidentMemory.now().residentBytes()).as("Linux's /proc/self/status").isPositive();
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            manager.ones(new Shape(64, 1024, 1024)).close(); // 256 MiB written, then freed to the system
        }
        ResidentMemory afterEarlierPhase = ResidentMemory.now();
        assertThat(afterEarlierPhase.peakResidentBytes() - afterEarlierPhase.residentBytes())
                .as("the freed array is in the peak, not resident").isGreaterThan(200 * MIB);

        assertThat(ResidentMemory.resetPeak()).isTrue();

        ResidentMemory nextPhase = ResidentMemory.now();
        assertThat(nextPhase.peakResidentBytes() - nextPhase.residentBytes()).isLessThan(64 * MIB);
    }
}
