package io.latentflow.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Realistic records of each type for the tests. */
final class Records {

    static final Instant TAKEN = Instant.parse("2024-05-01T12:00:00.123Z");

    private Records() {
    }

    static ImageRecord inlineImage() {
        return ImageRecord.newBuilder()
                .setId("photo-0001")
                .setSource("camera-7")
                .setEventTime(TAKEN)
                .setContentType("image/jpeg")
                .setInlineBytes(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00, 0x11}))
                .setAttributes(Map.of("license", "CC-BY-4.0", "scene", "harbour"))
                .build();
    }

    static ImageRecord imageByReference() {
        return ImageRecord.newBuilder()
                .setId("big/../../weird id")
                .setSource("crawler")
                .setEventTime(TAKEN)
                .setObjectUri("s3://images/raw/big.png")
                .build();
    }

    static LatentSummary summary() {
        return LatentSummary.newBuilder()
                .setMean(0.01f).setStd(0.93f).setMin(-0.99f).setMax(0.98f).setFractionOutsideUnit(0f)
                .build();
    }

    static LatentRecord latent() {
        return LatentRecord.newBuilder()
                .setImageId("photo-0001")
                .setSource("camera-7")
                .setModelVersion("ae-f8c8-v3")
                .setShape(List.of(8, 32, 32))
                .setShardUri("s3://latents/latents/model=ae-f8c8-v3/dt=2024-05-01/part-0-17.tar")
                .setMember("photo-0001.latent.npy")
                .setSummary(summary())
                .setEventTime(TAKEN)
                .setProcessingTime(TAKEN.plusSeconds(3))
                .setAttributes(Map.of("scene", "harbour"))
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setTopic(Topics.IMAGES)
                .setPartition(2)
                .setOffset(41_337L)
                .setImageId(null)
                .setReason(DeadLetterReason.CORRUPT_IMAGE)
                .setMessage("photo-0002: JPEG ends after 312 of 4096 bytes; re-upload the file")
                .setStage("decode")
                .setTime(TAKEN)
                .build();
    }
}
