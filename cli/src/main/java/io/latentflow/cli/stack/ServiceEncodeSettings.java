package io.latentflow.cli.stack;

import io.latentflow.cli.common.EncodeOptions;
import io.latentflow.cli.common.MonitorOptions;
import io.latentflow.cli.common.SamplingOptions;
import io.latentflow.jobs.encode.EncodeJobSettings;

/**
 * The encode job as the service runs it: unbounded, with the drift monitor and training sampling, following the
 * registry (--model serves until the registry promotes a version; then each image goes to the version promoted as
 * of its timestamp, swapped in the running job). What {@code run} starts and what {@code bench soak} measures.
 */
public final class ServiceEncodeSettings {

    private ServiceEncodeSettings() {
    }

    public static EncodeJobSettings of(PipelineStack pipeline, EncodeOptions encode, MonitorOptions monitor,
                                       SamplingOptions sampling, boolean sample) {
        return sampling.applyTo(monitor.applyTo(encode.settings(pipeline, false).toBuilder().followRegistry(true)
                .build()), sample);
    }
}
