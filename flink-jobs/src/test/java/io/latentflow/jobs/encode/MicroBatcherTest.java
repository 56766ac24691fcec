package io.latentflow.jobs.encode;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MicroBatcherTest {

    private OneInputStreamOperatorTestHarness<String, List<String>> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new MicroBatcher<>(3, Duration.ofMillis(100)));
        harness.setProcessingTime(1_000);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aBatchLeavesAsSoonAsItIsFull() throws Exception {
        feed("a", "b");
        assertThat(batches()).isEmpty();

        feed("c", "d");

        assertThat(batches()).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void aPartialBatchLeavesWhenItsOldestElementHasWaitedTheTimeout() throws Exception {
        feed("a");
        harness.setProcessingTime(1_050);
        feed("b");
        harness.setProcessingTime(1_099);
        assertThat(batches()).isEmpty();

        harness.setProcessingTime(1_100);

        assertThat(batches()).containsExactly(List.of("a", "b"));
    }

    @Test
    void theTimeoutOfAnEmittedBatchDoesNotCutTheNextOneShort() throws Exception {
        feed("a", "b", "c");
        harness.setProcessingTime(1_060);
        feed("d");

        harness.setProcessingTime(1_100);
        assertThat(batches()).containsExactly(List.of("a", "b", "c"));

        harness.setProcessingTime(1_160);
        assertThat(batches()).containsExactly(List.of("a", "b", "c"), List.of("d"));
    }

    @Test
    void aPartialBatchLeavesBeforeTheCheckpointBarrierSoNothingIsHeldInState() throws Exception {
        feed("a", "b");

        harness.prepareSnapshotPreBarrier(7);

        assertThat(batches()).containsExactly(List.of("a", "b"));
        assertThat(harness.snapshot(7, 1_010).getManagedOperatorState()).isEmpty();
    }

    @Test
    void theLastPartialBatchLeavesAtTheEndOfInput() throws Exception {
        feed("a", "b", "c", "d");

        harness.endInput();

        assertThat(batches()).containsExactly(List.of("a", "b", "c"), List.of("d"));
    }

    @Test
    void anEmptyBatcherEmitsNothingAtCheckpointsOrTheEnd() throws Exception {
        harness.prepareSnapshotPreBarrier(1);
        harness.setProcessingTime(5_000);
        harness.endInput();

        assertThat(batches()).isEmpty();
    }

    @Test
    void aWatermarkWaitsForTheBatchThatPrecedesIt() throws Exception {
        feed("a");
        harness.processWatermark(new Watermark(42));
        assertThat(harness.getOutput()).isEmpty();

        harness.setProcessingTime(1_100);

        assertThat(new ArrayList<>(harness.getOutput()))
                .containsExactly(new StreamRecord<>(List.of("a")), new Watermark(42));
    }

    @Test
    void metricsCountBatchesByWhatTriggeredThem() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        TaskMetricGroup taskMetrics = new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(
                    OperatorID id, String name, Map<String, String> additionalVariables) {
                return metrics;
            }
        };
        MockEnvironment environment = new MockEnvironmentBuilder().setMetricGroup(taskMetrics).build();
        try (var measured = new OneInputStreamOperatorTestHarness<String, List<String>>(
                new MicroBatcher<>(3, Duration.ofMillis(100)), environment)) {
            measured.open();
            for (String element : List.of("a", "b", "c", "d")) {
                measured.processElement(element, 0);
            }
            measured.setProcessingTime(measured.getProcessingTime() + 200);
            measured.processElement("e", 0);
            measured.prepareSnapshotPreBarrier(1);

            assertThat(count(metrics, "batchesEmitted")).isEqualTo(3);
            assertThat(count(metrics, "elementsEmitted")).isEqualTo(5);
            assertThat(count(metrics, "batchesBySize")).isEqualTo(1);
            assertThat(count(metrics, "batchesByTimeout")).isEqualTo(1);
            assertThat(count(metrics, "batchesByCheckpoint")).isEqualTo(1);
            assertThat(count(metrics, "batchesByEndOfInput")).isZero();
            assertThat(((Histogram) metrics.get("batchSize")).getStatistics().getMax()).isEqualTo(3);
            assertThat(((Histogram) metrics.get("batchFillLatencyMs")).getStatistics().getMax()).isEqualTo(200);
            assertThat(((Gauge<?>) metrics.get("lastBatchSize")).getValue()).isEqualTo(1);
        }
    }

    private static long count(InterceptingOperatorMetricGroup metrics, String name) {
        return ((Counter) metrics.get(name)).getCount();
    }

    private void feed(String... elements) throws Exception {
        for (String element : elements) {
            harness.processElement(element, 0);
        }
    }

    private List<List<String>> batches() {
        return harness.extractOutputValues();
    }
}
