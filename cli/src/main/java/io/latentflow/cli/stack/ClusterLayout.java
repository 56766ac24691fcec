package io.latentflow.cli.stack;

import io.latentflow.infra.StandaloneFlinkCluster;

/**
 * What {@code cluster up} starts: TaskManagers and their slots, the PyTorch intra-op threads of each slot's model, and
 * which servers run beside Flink.
 *
 * @param threadsPerSlot {@link StandaloneFlinkCluster#PYTORCH_DEFAULT_THREADS} leaves it to PyTorch (every core)
 */
public record ClusterLayout(int taskManagers, int slots, int threadsPerSlot, boolean ha, boolean withKafka,
                            boolean withS3, String bucket) {
}
