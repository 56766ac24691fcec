package io.latentflow.jobs.encode;

import ai.djl.Device;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which device an encoder subtask takes, given what Flink's external resource framework and the engine report. */
class EncoderDeviceTest {

    @Test
    void theGpuFlinkAssignedIsUsedWhateverTheSubtaskIndex() {
        EncoderDevice chosen = EncoderDevice.choose(Set.of(gpu("2")), 5, 4);

        assertThat(chosen.device()).isEqualTo(Device.gpu(2));
        assertThat(chosen.reason()).contains("assigned by Flink");
    }

    @Test
    void subtasksSharingATaskManagerSplitItsAssignedGpusOnePerSubtask() {
        Set<ExternalResourceInfo> taskManagerGpus = Set.of(gpu("3"), gpu("1"));

        assertThat(List.of(0, 1, 2, 3))
                .extracting(subtask -> EncoderDevice.choose(taskManagerGpus, subtask, 4).device())
                .containsExactly(Device.gpu(1), Device.gpu(3), Device.gpu(1), Device.gpu(3));
    }

    @Test
    void withoutAssignedGpusTheSubtaskIndexModuloTheVisibleGpusIsUsed() {
        assertThat(List.of(0, 1, 2, 3, 4))
                .extracting(subtask -> EncoderDevice.choose(Set.of(), subtask, 3).device())
                .containsExactly(Device.gpu(0), Device.gpu(1), Device.gpu(2), Device.gpu(0), Device.gpu(1));
        assertThat(EncoderDevice.choose(Set.of(), 4, 3).reason()).contains("subtask 4 mod 3");
    }

    @Test
    void withoutAVisibleGpuTheEncoderRunsOnCpu() {
        assertThat(EncoderDevice.choose(Set.of(), 0, 0).device()).isEqualTo(Device.cpu());
    }

    @Test
    void gpusAssignedToATaskManagerWhoseEngineSeesNoneFallBackToCpuAndSayWhy() {
        EncoderDevice chosen = EncoderDevice.choose(Set.of(gpu("0")), 0, 0);

        assertThat(chosen.device()).isEqualTo(Device.cpu());
        assertThat(chosen.reason()).contains("PYTORCH_LIBRARY_PATH");
    }

    @Test
    void anAssignedGpuTheEngineCannotSeeIsRefusedNamingBoth() {
        assertThatThrownBy(() -> EncoderDevice.choose(Set.of(gpu("3")), 0, 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GPU 3").hasMessageContaining("sees only 2").hasMessageContaining("CUDA_VISIBLE_DEVICES");
    }

    @Test
    void aGpuInfoWithoutANumericIndexIsRefusedNamingTheDriver() {
        assertThatThrownBy(() -> EncoderDevice.choose(Set.of(new FakeResourceInfo(Map.of("uuid", "GPU-1"))), 0, 1))
                .hasMessageContaining("no 'index' property").hasMessageContaining("GPUDriverFactory");
        assertThatThrownBy(() -> EncoderDevice.choose(Set.of(gpu("first")), 0, 1))
                .hasMessageContaining("index 'first'");
    }

    private static ExternalResourceInfo gpu(String index) {
        return new FakeResourceInfo(Map.of("index", index));
    }

    /** What Flink's GPU driver hands a function, without the driver. */
    private record FakeResourceInfo(Map<String, String> properties) implements ExternalResourceInfo {
        @Override
        public Optional<String> getProperty(String key) {
            return Optional.ofNullable(properties.get(key));
        }

        @Override
        public Collection<String> getKeys() {
            return properties.keySet();
        }
    }
}
