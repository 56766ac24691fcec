package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.encode.RawImage;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.ImageRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Event time comes from ImageRecord.eventTime at the source, and is put back on each latent after the encoder. */
class EventTimeTest {

    @Test
    void theSourceReadsTheImagesEventTimeAndFallsBackToKafkasForWhatIsNotAnImageRecord() {
        ImageRecord record = ImageRecord.newBuilder().setId("a").setSource("s")
                .setEventTime(Instant.ofEpochMilli(1_234_567)).setInlineBytes(ByteBuffer.wrap(new byte[]{1, 2}))
                .setAttributes(Map.of()).build();
        ImageEventTime eventTime = new ImageEventTime();

        assertThat(eventTime.extractTimestamp(raw(AvroCodec.of(ImageRecord.class).encode(record)), 99))
                .isEqualTo(1_234_567);
        assertThat(eventTime.extractTimestamp(raw(new byte[]{7, 7, 7}), 99)).isEqualTo(99);
        assertThat(eventTime.extractTimestamp(raw(null), 99)).isEqualTo(99);
    }

    @Test
    void eachLatentGetsItsImagesEventTimeAndWatermarksPassUnchanged() throws Exception {
        try (var harness = new OneInputStreamOperatorTestHarness<EncodedLatent, EncodedLatent>(new EventTimeOfLatent())) {
            harness.open();
            EncodedLatent latent = SyntheticLatents.latents(1, 5_000, 1, new double[4], 1).get(0);

            harness.processElement(new StreamRecord<>(latent)); // from a batch: no timestamp
            harness.processWatermark(new Watermark(4_000));

            Object[] output = harness.getOutput().toArray();
            assertThat(output).hasSize(2);
            @SuppressWarnings("unchecked")
            StreamRecord<EncodedLatent> stamped = (StreamRecord<EncodedLatent>) output[0];
            assertThat(stamped.getTimestamp()).isEqualTo(5_000);
            assertThat(stamped.getValue().image.imageId).isEqualTo(latent.image.imageId);
            assertThat(output[1]).isEqualTo(new Watermark(4_000));
        }
    }

    private static RawImage raw(byte[] value) {
        return new RawImage("images", 0, 1, 99, value);
    }
}
