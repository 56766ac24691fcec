package io.latentflow.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The intra-op threads a slot's model gets reach the TaskManager processes, also those started again. */
class TaskManagerEnvironmentTest {

    @TempDir
    Path home;

    @Test
    void threadsPerSlotBecomeTheTaskManagersOpenMpThreads() {
        Path conf = StandaloneFlinkCluster.writeConfiguration(home, 8081, 6123, 2, 1, Optional.empty());

        assertThat(StandaloneFlinkCluster.taskManagerEnvironment(conf)).isEqualTo(Map.of("OMP_NUM_THREADS", "1"));
    }

    @Test
    void pyTorchsDefaultSetsNothing() {
        Path conf = StandaloneFlinkCluster.writeConfiguration(home, 8081, 6123, 1,
                StandaloneFlinkCluster.PYTORCH_DEFAULT_THREADS, Optional.empty());

        assertThat(StandaloneFlinkCluster.taskManagerEnvironment(conf)).isEmpty();
    }
}
