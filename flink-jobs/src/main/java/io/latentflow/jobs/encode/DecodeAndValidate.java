package io.latentflow.jobs.encode;

import io.latentflow.connections.S3Settings;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageLimits;
import io.latentflow.imaging.ImageRejectedException;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.shards.SampleKeys;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.DeadLetterReason;
import io.latentflow.schemas.ImageRecord;
import io.latentflow.schemas.MalformedRecordException;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Objects;

/**
 * Turns a raw Kafka record into an image ready for the model, or into exactly one dead letter that
 * says why not: the record is not an {@code ImageRecord} (MALFORMED_RECORD), it carries neither or
 * both of inline bytes and an object URI (MISSING_PAYLOAD, AMBIGUOUS_PAYLOAD), its object does not
 * exist (OBJECT_NOT_FOUND), its id cannot be a shard member (INVALID_ID), or the image decoder
 * refuses the bytes (its own reason). Input never makes it throw; only an object store that does
 * not answer does, so that the job retries instead of dropping images.
 */
public final class DecodeAndValidate extends ProcessFunction<RawImage, PreparedImage> {

    private static final long serialVersionUID = 1L;

    private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);
    private final ImageLimits limits;
    private final int resolution;
    private final int downsamplingFactor;
    private final S3Settings s3;
    private final OperatorFaults faults;

    private transient ImageDecoder decoder;
    private transient ModelInputResizer resizer;
    private transient ObjectFetcher fetcher;
    private transient DeadLetterOutput deadLetters;
    private transient LongCounter imagesIn;
    private transient Counter imagesPrepared;
    private transient long seen;

    /**
     * @param downsamplingFactor the served model's, so that a resolution it cannot encode fails at start
     * @param faults             told of every element, {@link OperatorFaults#NONE} but in recovery tests
     */
    public DecodeAndValidate(ImageLimits limits, int resolution, int downsamplingFactor, S3Settings s3,
                             OperatorFaults faults) {
        this.limits = limits;
        this.resolution = resolution;
        this.downsamplingFactor = downsamplingFactor;
        this.s3 = s3;
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    @Override
    public void open(OpenContext openContext) {
        decoder = new ImageDecoder(limits);
        resizer = new ModelInputResizer(resolution, downsamplingFactor);
        fetcher = new ObjectFetcher(s3.newClient(), limits.maxBytes());
        deadLetters = new DeadLetterOutput(getRuntimeContext());
        imagesIn = getRuntimeContext().getLongCounter(EncodeSummary.IMAGES_IN);
        imagesPrepared = getRuntimeContext().getMetricGroup().counter("imagesPrepared");
    }

    @Override
    public void processElement(RawImage raw, Context context, Collector<PreparedImage> out) throws Exception {
        imagesIn.add(1);
        seen++;
        faults.elementsSeen(OperatorFaults.Stage.DECODE, seen);
        ImageRecord record;
        try {
            record = codec.decode(raw.value);
        } catch (MalformedRecordException e) {
            refuse(context, raw, null, DeadLetterReason.MALFORMED_RECORD, "the record at " + raw.position()
                    + " is not an ImageRecord: " + e.getMessage(), PipelineStage.DESERIALIZE);
            return;
        }
        String id = record.getId();
        String key;
        try {
            key = SampleKeys.of(id); // checks the id even where the dataset's own key names the sample
            if (record.getSampleKey() != null) {
                key = SampleKeys.ofDatasetKey(record.getSampleKey());
            }
        } catch (ImageRejectedException e) {
            refuse(context, raw, id, e.reason(), e.getMessage(), PipelineStage.VALIDATE);
            return;
        }
        String tooLarge = RecordMetadataLimits.violation(record.getSource(), record.getAttributes(),
                record.getCaption(), record.getLabel());
        if (tooLarge != null) {
            refuse(context, raw, id, DeadLetterReason.MALFORMED_RECORD, "image " + id + " is refused: " + tooLarge,
                    PipelineStage.VALIDATE);
            return;
        }
        ByteBuffer inline = record.getInlineBytes();
        String objectUri = record.getObjectUri();
        boolean hasInline = inline != null;
        boolean hasUri = objectUri != null && !objectUri.isBlank();
        if (hasInline == hasUri) {
            refuse(context, raw, id, hasInline ? DeadLetterReason.AMBIGUOUS_PAYLOAD : DeadLetterReason.MISSING_PAYLOAD,
                    hasInline ? "image " + id + " has both inlineBytes and objectUri: send exactly one of them"
                            : "image " + id + " has neither inlineBytes nor objectUri: send exactly one of them",
                    PipelineStage.VALIDATE);
            return;
        }
        byte[] bytes;
        if (hasInline) {
            bytes = new byte[inline.remaining()];
            inline.duplicate().get(bytes);
        } else {
            try {
                bytes = fetcher.fetch(objectUri);
            } catch (ImageRejectedException e) {
                refuse(context, raw, id, e.reason(), e.getMessage(), PipelineStage.FETCH);
                return;
            }
        }
        BufferedImage image;
        byte[] pixels;
        try {
            image = decoder.decode(bytes);
            pixels = resizer.resize(image);
        } catch (ImageRejectedException e) {
            refuse(context, raw, id, e.reason(), "image " + id + ": " + e.getMessage(), PipelineStage.DECODE);
            return;
        }
        // No catch-all here: the decoder turns every fault of the input into a rejection; any other exception (in
        // resizing, colour conversion) is a bug that must fail the job, not dead-letter all traffic.
        out.collect(prepared(raw, record, key, image, pixels));
        imagesPrepared.inc();
    }

    private PreparedImage prepared(RawImage raw, ImageRecord record, String key, BufferedImage image, byte[] pixels) {
        PreparedImage prepared = new PreparedImage();
        prepared.topic = raw.topic;
        prepared.partition = raw.partition;
        prepared.offset = raw.offset;
        prepared.imageId = record.getId();
        prepared.sampleKey = key;
        prepared.source = record.getSource();
        prepared.eventTime = record.getEventTime().toEpochMilli();
        prepared.recordTimestamp = raw.timestamp;
        prepared.attributes = record.getAttributes() == null ? new HashMap<>() : new HashMap<>(record.getAttributes());
        prepared.caption = record.getCaption();
        prepared.label = record.getLabel();
        prepared.originalWidth = image.getWidth();
        prepared.originalHeight = image.getHeight();
        prepared.size = resolution;
        prepared.pixels = pixels;
        return prepared;
    }

    private void refuse(Context context, RawImage raw, String imageId, DeadLetterReason reason, String message,
                        PipelineStage stage) {
        deadLetters.send(context, raw.topic, raw.partition, raw.offset, imageId, reason, message, stage);
    }
}
