package io.latentflow.jobs.encode;

import io.latentflow.infra.EmbeddedS3;
import io.latentflow.imaging.ImageLimits;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.DeadLetterReason;
import io.latentflow.schemas.ImageRecord;
import io.minio.PutObjectArgs;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decode stage alone, on real images and a real S3 server: what it prepares, and what it refuses and why. */
class DecodeAndValidateTest {

    private static final AvroCodec<ImageRecord> CODEC = AvroCodec.of(ImageRecord.class);

    private EmbeddedS3 s3;
    private byte[] photo;

    @BeforeEach
    void setUp() throws IOException {
        s3 = EmbeddedS3.start(null, "images");
        photo = Files.readAllBytes(Path.of(System.getProperty("latentflow.home"), "samples", "photos",
                "Autumn_s1280_000.jpg"));
    }

    @AfterEach
    void tearDown() {
        s3.close();
    }

    @Test
    void aGoodImageIsResizedToTheModelResolutionWithASafeKeyAndItsKafkaPosition() throws Exception {
        try (var harness = harness(ImageLimits.DEFAULTS)) {
            harness.processElement(raw(7, record("../../etc/passwd").setInlineBytes(ByteBuffer.wrap(photo))));

            assertThat(deadLetters(harness)).isEmpty();
            PreparedImage image = harness.extractOutputValues().get(0);
            assertThat(image.imageId).isEqualTo("../../etc/passwd");
            assertThat(image.sampleKey).matches("[A-Za-z0-9_-]+");
            assertThat(image.pixels).hasSize(64 * 64 * 3);
            assertThat(image.size).isEqualTo(64);
            assertThat(image.originalWidth).isEqualTo(256);
            assertThat(image.offset).isEqualTo(7);
            assertThat(image.attributes).containsEntry("camera", "test");
        }
    }

    @Test
    void aDatasetSampleKeepsItsKeyCaptionAndLabelAndAnOversizedCaptionIsRefused() throws Exception {
        try (var harness = harness(ImageLimits.DEFAULTS)) {
            harness.processElement(raw(1, record("laion/00000.tar/000000042@0123").setSampleKey("000000042")
                    .setCaption("ein Fuchs im Schnee 🦊").setLabel("fox").setInlineBytes(ByteBuffer.wrap(photo))));
            harness.processElement(raw(2, record("x/a b.jpg").setSampleKey("a b.jpg")
                    .setInlineBytes(ByteBuffer.wrap(photo))));
            harness.processElement(raw(3, record("long-caption").setCaption("c".repeat(20_000))
                    .setInlineBytes(ByteBuffer.wrap(photo))));

            List<PreparedImage> prepared = harness.extractOutputValues();
            assertThat(prepared).extracting(p -> p.sampleKey).first().isEqualTo("000000042");
            assertThat(prepared.get(0).caption).isEqualTo("ein Fuchs im Schnee 🦊");
            assertThat(prepared.get(0).label).isEqualTo("fox");
            assertThat(prepared.get(1).sampleKey).as("made safe").matches("a-b-jpg_[0-9a-f]{16}");
            assertThat(prepared.get(1).caption).isNull();
            assertThat(deadLetters(harness)).singleElement().satisfies(d -> {
                assertThat(d.getOffset()).isEqualTo(3L);
                assertThat(d.getMessage()).contains("caption");
            });
        }
    }

    @Test
    void anImagePassedByReferenceIsFetchedFromTheObjectStore() throws Exception {
        put("incoming/autumn.jpg", photo);
        try (var harness = harness(ImageLimits.DEFAULTS)) {
            harness.processElement(raw(1, record("by-ref").setObjectUri(s3.settings().uri("incoming/autumn.jpg"))));

            assertThat(deadLetters(harness)).isEmpty();
            assertThat(harness.extractOutputValues()).extracting(p -> p.imageId).containsExactly("by-ref");
        }
    }

    @Test
    void everyRefusalIsOneDeadLetterWithItsReasonStageAndPosition() throws Exception {
        put("incoming/big.jpg", photo);
        ImageLimits small = new ImageLimits(photo.length - 1, ImageLimits.DEFAULT_MAX_PIXELS, ImageLimits.DEFAULT_MIN_SIDE);
        try (var harness = harness(small)) {
            harness.processElement(raw(1, record("").setInlineBytes(ByteBuffer.wrap(photo))));
            harness.processElement(raw(2, record("big").setObjectUri(s3.settings().uri("incoming/big.jpg"))));
            harness.processElement(raw(3, record("not-s3").setObjectUri("http://example.com/a.jpg")));
            harness.processElement(raw(4, record("too-big-inline").setInlineBytes(ByteBuffer.wrap(photo))));
            harness.processElement(new StreamRecord<>(new RawImage("images", 0, 5, 0, new byte[] {1, 2, 3})));
            harness.processElement(raw(6, record("long-source").setSource("s".repeat(70_000))
                    .setInlineBytes(ByteBuffer.wrap(photo))));
            harness.processElement(raw(7, record("huge-attributes").setAttributes(Map.of("notes", "x".repeat(20_000)))
                    .setInlineBytes(ByteBuffer.wrap(photo))));

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(deadLetters(harness))
                    .extracting(DeadLetter::getOffset, DeadLetter::getReason, DeadLetter::getStage)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(1L, DeadLetterReason.INVALID_ID, "validate"),
                            org.assertj.core.groups.Tuple.tuple(2L, DeadLetterReason.TOO_MANY_BYTES, "fetch"),
                            org.assertj.core.groups.Tuple.tuple(3L, DeadLetterReason.OBJECT_NOT_FOUND, "fetch"),
                            org.assertj.core.groups.Tuple.tuple(4L, DeadLetterReason.TOO_MANY_BYTES, "decode"),
                            org.assertj.core.groups.Tuple.tuple(5L, DeadLetterReason.MALFORMED_RECORD, "deserialize"),
                            org.assertj.core.groups.Tuple.tuple(6L, DeadLetterReason.MALFORMED_RECORD, "validate"),
                            org.assertj.core.groups.Tuple.tuple(7L, DeadLetterReason.MALFORMED_RECORD, "validate"));
            assertThat(deadLetters(harness)).allSatisfy(letter -> assertThat(letter.getMessage()).isNotBlank());
        }
    }

    @Test
    void anObjectStoreThatDoesNotAnswerFailsTheStageInsteadOfDroppingTheImage() throws Exception {
        try (var harness = harness(ImageLimits.DEFAULTS)) {
            String uri = s3.settings().uri("incoming/any.jpg");
            s3.close();

            assertThatThrownBy(() -> harness.processElement(raw(1, record("lost").setObjectUri(uri))))
                    .isInstanceOf(IOException.class).hasMessageContaining(uri);
            assertThat(deadLetters(harness)).isEmpty();
        }
    }

    private OneInputStreamOperatorTestHarness<RawImage, PreparedImage> harness(ImageLimits limits) throws Exception {
        var harness = ProcessFunctionTestHarnesses.forProcessFunction(
                new DecodeAndValidate(limits, 64, 8, s3.settings(), OperatorFaults.NONE));
        harness.open();
        return harness;
    }

    private static ImageRecord.Builder record(String id) {
        return ImageRecord.newBuilder().setId(id).setSource("test").setEventTime(Instant.ofEpochMilli(1_000))
                .setAttributes(Map.of("camera", "test"));
    }

    private static StreamRecord<RawImage> raw(long offset, ImageRecord.Builder record) {
        return new StreamRecord<>(new RawImage("images", 0, offset, 0, CODEC.encode(record.build())));
    }

    private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<RawImage, PreparedImage> harness) {
        var letters = harness.getSideOutput(EncodeJob.DEAD_LETTERS);
        return letters == null ? List.of() : letters.stream().map(StreamRecord::getValue).toList();
    }

    private void put(String key, byte[] bytes) throws Exception {
        s3.settings().newClient().putObject(PutObjectArgs.builder().bucket(s3.settings().bucket()).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
    }
}
