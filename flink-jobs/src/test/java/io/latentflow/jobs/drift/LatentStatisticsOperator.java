package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.LatentStatsWindow;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The drift monitor's window operator ("latent-statistics") as {@link DriftMonitor#attach} wires it, taken out of the
 * graph for a test harness: its state is what a service checkpoint holds of the monitor's open windows.
 */
final class LatentStatisticsOperator {

    private static final String UID = "latent-statistics";

    private LatentStatisticsOperator() {
    }

    @SuppressWarnings("unchecked")
    static KeyedOneInputStreamOperatorTestHarness<String, EncodedLatent, LatentStatsWindow> harness(
            ReferenceProfile profile) throws Exception {
        StreamExecutionEnvironment environment = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<EncodedLatent> encoded = environment.fromData(List.of(SyntheticLatents.latent("unused", 0,
                new float[SyntheticLatents.CHANNELS * SyntheticLatents.POSITIONS])),
                TypeInformation.of(EncodedLatent.class));
        new DriftMonitor(DriftMonitorSettings.of(profile)).attach(encoded, new DiscardingSink<LatentStatsWindow>(),
                new DiscardingSink<DriftAlert>());
        OneInputTransformation<EncodedLatent, LatentStatsWindow> window = environment.getTransformations().stream()
                .flatMap(sink -> sink.getTransitivePredecessors().stream())
                .filter(transformation -> UID.equals(transformation.getUid()))
                .map(transformation -> (OneInputTransformation<EncodedLatent, LatentStatsWindow>) transformation)
                .findFirst().orElseThrow(() -> new IllegalStateException("the drift monitor has no " + UID));
        return new KeyedOneInputStreamOperatorTestHarness<>(window.getOperatorFactory(),
                (KeySelector<EncodedLatent, String>) window.getStateKeySelector(), Types.STRING);
    }
}
