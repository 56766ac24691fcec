package io.latentflow.jobs.drift;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded-out-of-orderness watermarks for one images partition that go on advancing while the partition is idle.
 *
 * <p>Flink's {@code withIdleness} only marks an idle partition idle: once EVERY partition is idle the event-time clock
 * stops, and the last window of a burst is never judged, sampled or alerted until more images arrive (minutes, or
 * never). The images topic records ingestion time ({@code ingest} stamps each image when it sends it), so once a
 * partition has had no image for {@code idleAfter}, its watermark moves on with the processing time elapsed since its
 * last image: the last window closes about {@code idleAfter} after the burst. The price: an image that arrives after
 * such a pause stamped with an event time older than the pause is late for its window (it is still encoded and
 * written; only its window's statistics and samples miss it).
 *
 * <p>A partition that has had no image since the job (re)started is marked idle after {@code idleAfter}, as
 * {@code withIdleness} does, so that it holds no other partition back.
 */
final class IdleAdvancingWatermarks<T> implements WatermarkGenerator<T> {

    private final long outOfOrdernessMillis;
    private final long idleAfterMillis;
    private final LongSupplier clock;
    private final long startedAt;

    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventAt;
    private long emitted = Long.MIN_VALUE;

    IdleAdvancingWatermarks(Duration outOfOrderness, Duration idleAfter, LongSupplier clock) {
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.idleAfterMillis = idleAfter.toMillis();
        this.clock = clock;
        this.startedAt = clock.getAsLong();
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        lastEventAt = clock.getAsLong();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = clock.getAsLong();
        if (maxTimestamp == Long.MIN_VALUE) {
            if (now - startedAt >= idleAfterMillis) {
                output.markIdle();
            }
            return;
        }
        long idleFor = now - lastEventAt;
        long watermark = maxTimestamp - outOfOrdernessMillis - 1 + (idleFor >= idleAfterMillis ? idleFor : 0);
        emitted = Math.max(emitted, watermark); // never backwards, also when a late image follows a pause
        output.emitWatermark(new Watermark(emitted));
    }
}
