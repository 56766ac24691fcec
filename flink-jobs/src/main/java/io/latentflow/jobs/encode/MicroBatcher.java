package io.latentflow.jobs.encode;

import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * Groups elements into batches for a model: a batch leaves when it holds {@code maxBatchSize}
 * elements, or when its oldest element has waited {@code maxWait}, whichever comes first.
 *
 * <p>The batcher keeps no state. It empties itself before every checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}) and at the end of a bounded input, so an element is never
 * held across a checkpoint and a restore cannot lose or repeat one. The price is that a checkpoint
 * may cut a batch short; with checkpoints seconds apart and batches filled in milliseconds to a
 * few hundred milliseconds that costs little.
 *
 * <p>Watermarks that arrive while a batch is filling are held back until that batch leaves, so no
 * element becomes late because it waited in a batch.
 *
 * <p>Metrics (under the operator's group, in the spirit of FLINK-38825's AsyncBatchWaitOperator):
 * {@code batchSize} and {@code batchFillLatencyMs} histograms, {@code lastBatchSize} and
 * {@code pendingElements} gauges, {@code batchesEmitted}, {@code elementsEmitted} and one
 * {@code batchesBy<Trigger>} counter per reason a batch left.
 */
public final class MicroBatcher<T> extends AbstractStreamOperator<List<T>>
        implements OneInputStreamOperator<T, List<T>>, BoundedOneInput, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;

    /** Why a batch left the batcher. */
    public enum Trigger { SIZE, TIMEOUT, CHECKPOINT, END_OF_INPUT }

    private final int maxBatchSize;
    private final long maxWaitMillis;

    private transient List<T> batch;
    private transient long oldestArrivalMillis;
    private transient ScheduledFuture<?> timeoutTimer;
    private transient Watermark heldWatermark;

    private transient Histogram batchSizes;
    private transient Histogram fillLatencies;
    private transient Counter batchesEmitted;
    private transient Counter elementsEmitted;
    private transient Map<Trigger, Counter> batchesByTrigger;
    private transient int lastBatchSize;

    public MicroBatcher(int maxBatchSize, Duration maxWait) {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, got " + maxWait);
        }
        this.maxBatchSize = maxBatchSize;
        this.maxWaitMillis = maxWait.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        batch = new ArrayList<>(maxBatchSize);
        MetricGroup metrics = getMetricGroup();
        batchSizes = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1024));
        fillLatencies = metrics.histogram("batchFillLatencyMs", new DescriptiveStatisticsHistogram(1024));
        batchesEmitted = metrics.counter("batchesEmitted");
        elementsEmitted = metrics.counter("elementsEmitted");
        batchesByTrigger = new EnumMap<>(Trigger.class);
        for (Trigger trigger : Trigger.values()) {
            batchesByTrigger.put(trigger, metrics.counter("batchesBy" + camelCase(trigger)));
        }
        metrics.gauge("lastBatchSize", () -> lastBatchSize);
        metrics.gauge("pendingElements", () -> batch.size());
    }

    @Override
    public void processElement(StreamRecord<T> element) throws Exception {
        if (batch.isEmpty()) {
            oldestArrivalMillis = now();
            timeoutTimer = getProcessingTimeService().registerTimer(oldestArrivalMillis + maxWaitMillis, this);
        }
        batch.add(element.getValue());
        if (batch.size() >= maxBatchSize) {
            emit(Trigger.SIZE);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timeoutTimer = null;
        if (batch.isEmpty()) {
            return;
        }
        long due = oldestArrivalMillis + maxWaitMillis;
        if (time >= due) {
            emit(Trigger.TIMEOUT);
        } else {
            // a timer of an earlier batch that could not be cancelled in time: wait for this batch's due time
            timeoutTimer = getProcessingTimeService().registerTimer(due, this);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (!batch.isEmpty()) {
            emit(Trigger.CHECKPOINT);
        }
    }

    @Override
    public void endInput() throws Exception {
        if (!batch.isEmpty()) {
            emit(Trigger.END_OF_INPUT);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (batch.isEmpty()) {
            super.processWatermark(mark);
        } else {
            heldWatermark = mark;
        }
    }

    @Override
    public void close() throws Exception {
        cancelTimer();
        super.close();
    }

    private void emit(Trigger trigger) throws Exception {
        cancelTimer();
        List<T> full = batch;
        batch = new ArrayList<>(maxBatchSize);
        lastBatchSize = full.size();
        batchSizes.update(full.size());
        fillLatencies.update(now() - oldestArrivalMillis);
        batchesEmitted.inc();
        elementsEmitted.inc(full.size());
        batchesByTrigger.get(trigger).inc();
        output.collect(new StreamRecord<>(full));
        if (heldWatermark != null) {
            Watermark mark = heldWatermark;
            heldWatermark = null;
            super.processWatermark(mark);
        }
    }

    private void cancelTimer() {
        if (timeoutTimer != null) {
            timeoutTimer.cancel(false);
            timeoutTimer = null;
        }
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    private static String camelCase(Trigger trigger) {
        StringBuilder name = new StringBuilder();
        for (String word : trigger.name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase());
        }
        return name.toString();
    }
}
