package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.encode.MicroBatcher;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftFinding;
import io.latentflow.schemas.DriftSeverity;
import io.latentflow.schemas.LatentStatsWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The monitor on a local MiniCluster, behind a micro-batcher and an "encoder" that, like the real one, emits latents
 * without timestamps: windows close on watermarks the batcher held back, the last one at the end of the input, and
 * a shift of one channel raises one alert naming it.
 */
class DriftMonitorTest {

    private static final long MINUTE = 60_000;
    private static final long FIRST_EVENT = 28_333_333L * MINUTE; // on a minute boundary
    private static final long STEP = 1875; // 32 images per minute

    @Test
    void windowsOfStatisticsAndOneAlertWhenAChannelShifts() throws Exception {
        List<EncodedLatent> latents = new ArrayList<>(SyntheticLatents.latents(96, FIRST_EVENT, STEP,
                new double[]{0, 0, 0, 0}, 2));
        latents.addAll(SyntheticLatents.latents(64, FIRST_EVENT + 3 * MINUTE, STEP,
                new double[]{0, 5 * SyntheticLatents.STD, 0, 0}, 3)); // channel 1 moves by five reference std

        CollectingSink<LatentStatsWindow> stats = new CollectingSink<>("stats");
        CollectingSink<DriftAlert> alerts = new CollectingSink<>("alerts");
        StreamExecutionEnvironment environment = environment();
        DataStream<EncodedLatent> encoded = environment
                .fromData(latents, TypeInformation.of(EncodedLatent.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<EncodedLatent>forMonotonousTimestamps()
                        .withTimestampAssigner((latent, timestamp) -> latent.image.eventTime))
                .transform("MicroBatcher", Types.LIST(TypeInformation.of(EncodedLatent.class)),
                        new MicroBatcher<EncodedLatent>(16, Duration.ofMillis(50)))
                .process(new Unbatch(), TypeInformation.of(EncodedLatent.class));
        new DriftMonitor(DriftMonitorSettings.of(SyntheticLatents.profile())).attach(encoded, stats, alerts);
        environment.execute("drift-monitor-test");

        List<LatentStatsWindow> windows = stats.collected();
        windows.sort(Comparator.comparing(LatentStatsWindow::getWindowStart));
        assertThat(windows).hasSize(5);
        for (int w = 0; w < 5; w++) {
            LatentStatsWindow window = windows.get(w);
            assertThat(window.getModelVersion()).isEqualTo(SyntheticLatents.MODEL);
            assertThat(window.getWindowStart()).isEqualTo(Instant.ofEpochMilli(FIRST_EVENT + w * MINUTE));
            assertThat(window.getWindowEnd()).isEqualTo(Instant.ofEpochMilli(FIRST_EVENT + (w + 1) * MINUTE));
            assertThat(window.getImages()).as("window %d", w).isEqualTo(32);
            assertThat(window.getChannels()).hasSize(SyntheticLatents.CHANNELS);
            assertThat(window.getChannels().get(1).getHistogram()).hasSize(10);
            assertThat(window.getWorstImages()).hasSize(5);
            assertThat(window.getDriftScore()).as("window %d", w).isNotNull();
        }
        assertThat(windows.subList(0, 3)).allSatisfy(w -> {
            assertThat(w.getDriftScore()).isLessThan(1);
            assertThat(w.getNovelty()).isBetween(0.5, 1.4);
        });
        assertThat(windows.subList(3, 5)).allSatisfy(w -> {
            assertThat(w.getDriftScore()).isGreaterThan(2);
            assertThat(w.getChannels().get(1).getMeanShift()).isBetween(4.8, 5.2);
            // a shifted channel keeps its texture: NOVELTY describes how channels move together, not where
            assertThat(w.getNovelty()).isBetween(0.5, 1.4);
        });

        List<DriftAlert> raised = alerts.collected();
        assertThat(raised).hasSize(1);
        DriftAlert alert = raised.get(0);
        assertThat(alert.getWindowIndex()).isEqualTo(3);
        assertThat(alert.getWindowStart()).isEqualTo(Instant.ofEpochMilli(FIRST_EVENT + 3 * MINUTE));
        assertThat(alert.getPreviousSeverity()).isEqualTo(DriftSeverity.OK);
        assertThat(alert.getSeverity()).isEqualTo(DriftSeverity.CRITICAL);
        assertThat(alert.getFindings()).extracting(DriftFinding::getChannel, DriftFinding::getStatistic)
                // N(1.25, 0.25^2) is mostly outside [-1, 1]: the range check sees it too
                .contains(tuple(1, "MEAN_SHIFT"), tuple(1, "PSI"), tuple(-1, "OUT_OF_RANGE"))
                .doesNotContain(tuple(-1, "NOVELTY"));
        assertThat(alert.getMessage()).contains("CRITICAL", "channel 1 ", "window 3");
    }

    /** A local MiniCluster of parallelism 1 that loads the job's classes from the test's own class path. */
    static StreamExecutionEnvironment environment() {
        Configuration config = new Configuration();
        config.set(CoreOptions.CLASSLOADER_RESOLVE_ORDER, "parent-first");
        StreamExecutionEnvironment environment = StreamExecutionEnvironment.getExecutionEnvironment(config);
        environment.setParallelism(1);
        return environment;
    }

    /** Like the encoder: one record per latent of a batch, with the batch's (absent) timestamp. */
    private static final class Unbatch extends ProcessFunction<List<EncodedLatent>, EncodedLatent> {
        @Override
        public void processElement(List<EncodedLatent> batch, Context context, Collector<EncodedLatent> out) {
            batch.forEach(out::collect);
        }
    }
}
