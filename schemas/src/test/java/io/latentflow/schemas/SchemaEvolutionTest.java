package io.latentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

    /** ImageRecord as an earlier release had it: no contentType, no attributes. */
    private static final Schema OLDER_IMAGE_RECORD = new Schema.Parser().parse("""
            {"type": "record", "name": "ImageRecord", "namespace": "io.latentflow.schemas",
             "fields": [
               {"name": "id", "type": "string"},
               {"name": "source", "type": "string"},
               {"name": "eventTime", "type": {"type": "long", "logicalType": "timestamp-millis"}},
               {"name": "inlineBytes", "type": ["null", "bytes"], "default": null},
               {"name": "objectUri", "type": ["null", "string"], "default": null}
             ]}""");

    @Test
    void aRecordWrittenWithAnOlderSchemaIsReadWithTheCurrentOneAndItsDefaults() throws Exception {
        GenericRecord old = new GenericData.Record(OLDER_IMAGE_RECORD);
        old.put("id", "legacy-42");
        old.put("source", "scanner");
        old.put("eventTime", Records.TAKEN.toEpochMilli());
        old.put("inlineBytes", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        old.put("objectUri", null);
        byte[] writtenByOldProducer = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), OLDER_IMAGE_RECORD)
                .encode(old));

        AvroCodec<ImageRecord> reader = AvroCodec.of(ImageRecord.class,
                SchemaHistory.released(ImageRecord.class).with(OLDER_IMAGE_RECORD));
        ImageRecord image = reader.decode(writtenByOldProducer);

        assertThat(image.getId()).isEqualTo("legacy-42");
        assertThat(image.getSource()).isEqualTo("scanner");
        assertThat(image.getEventTime()).isEqualTo(Records.TAKEN);
        assertThat(image.getInlineBytes()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(image.getObjectUri()).isNull();
        assertThat(image.getContentType()).isNull();
        assertThat(image.getAttributes()).isEmpty();
    }

    @Test
    void withoutTheOlderVersionInItsHistoryTheReaderCannotResolveIt() throws Exception {
        GenericRecord old = new GenericData.Record(OLDER_IMAGE_RECORD);
        old.put("id", "legacy-42");
        old.put("source", "scanner");
        old.put("eventTime", 0L);
        byte[] writtenByOldProducer = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), OLDER_IMAGE_RECORD)
                .encode(old));

        assertThatThrownBy(() -> AvroCodec.of(ImageRecord.class).decode(writtenByOldProducer))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("Unknown writer schema for ImageRecord");
    }

    @Test
    void aReasonOnlyANewerWriterKnowsIsReadAsUnknown() throws Exception {
        // A newer release adds a reason. Single-object encoding names the writer schema by
        // fingerprint only, so a reader resolves it once that schema is known to it.
        Schema newer = new Schema.Parser().parse(DeadLetter.getClassSchema().toString()
                .replace("\"ENCODE_FAILED\"", "\"ENCODE_FAILED\",\"LOW_LIGHT\""));
        assertThat(newer.getField("reason").schema().getEnumSymbols()).contains("LOW_LIGHT");

        GenericRecord letter = new GenericData.Record(newer);
        letter.put("topic", Topics.IMAGES);
        letter.put("partition", 0);
        letter.put("offset", 7L);
        letter.put("imageId", "dark-1");
        letter.put("reason", new GenericData.EnumSymbol(newer.getField("reason").schema(), "LOW_LIGHT"));
        letter.put("message", "too dark to encode");
        letter.put("stage", "validate");
        letter.put("time", 0L);
        byte[] writtenByNewerProducer = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer)
                .encode(letter));

        AvroCodec<DeadLetter> reader = AvroCodec.of(DeadLetter.class,
                SchemaHistory.released(DeadLetter.class).with(newer));
        DeadLetter read = reader.decode(writtenByNewerProducer);

        assertThat(read.getReason()).isEqualTo(DeadLetterReason.UNKNOWN);
        assertThat(read.getImageId()).isEqualTo("dark-1");
        assertThat(read.getMessage()).isEqualTo("too dark to encode");
    }

    @Test
    void aLatentRecordWithItsLatentInlineIsReadByTheReleaseBeforeIt() throws Exception {
        List<Schema> released = SchemaHistory.released(LatentRecord.class).schemas();
        Schema previous = released.stream().filter(schema -> schema.getField("latentNpy") == null)
                .reduce((earlier, later) -> later).orElseThrow(); // the release before inline latents
        LatentRecord inline = LatentRecord.newBuilder(Records.latent())
                .setLatentNpy(ByteBuffer.wrap(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}))
                .setLatentInStorageOnly(false).setLatentSpace("sha256:ab12").build();

        GenericRecord readByPrevious = new GenericDatumReader<GenericRecord>(LatentRecord.getClassSchema(), previous)
                .read(null, DecoderFactory.get().binaryDecoder(body(AvroCodec.of(LatentRecord.class).encode(inline)),
                        null));

        assertThat(readByPrevious.get("imageId").toString()).isEqualTo("photo-0001");
        assertThat(readByPrevious.get("shardUri").toString()).isEqualTo(inline.getShardUri());
        assertThat(readByPrevious.get("member").toString()).isEqualTo("photo-0001.latent.npy");
        assertThat(readByPrevious.hasField("latentNpy")).isFalse();
    }

    @Test
    void aLatentRecordOfTheReleaseBeforeInlineLatentsReadsAsInStorageOnly() throws Exception {
        List<Schema> released = SchemaHistory.released(LatentRecord.class).schemas();
        Schema previous = released.get(0);
        byte[] writtenByPrevious = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), previous)
                .encode(new GenericDatumReader<GenericRecord>(LatentRecord.getClassSchema(), previous).read(null,
                        DecoderFactory.get().binaryDecoder(body(AvroCodec.of(LatentRecord.class)
                                .encode(Records.latent())), null))));

        LatentRecord read = AvroCodec.of(LatentRecord.class).decode(writtenByPrevious);

        assertThat(read.getImageId()).isEqualTo("photo-0001");
        assertThat(read.getLatentNpy()).isNull();
        assertThat(read.getLatentInStorageOnly()).isTrue();
        assertThat(read.getScalingFactor()).isEqualTo(1.0);
        assertThat(read.getShiftFactor()).isEqualTo(0.0);
        assertThat(read.getLatentSpace()).isEmpty();
    }

    @Test
    void aLatentRecordOfTheReleaseBeforeMomentsReadsAsTheMean() throws Exception {
        List<Schema> released = SchemaHistory.released(LatentRecord.class).schemas();
        Schema previous = released.get(1);
        assertThat(previous.getField("latentSpace")).isNotNull();
        assertThat(previous.getField("latents")).as("the release before moments").isNull();
        LatentRecord imported = LatentRecord.newBuilder(Records.latent()).setScalingFactor(0.3611)
                .setShiftFactor(0.1159).setLatentSpace("ls-0123456789abcdef").build();
        byte[] writtenByPrevious = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), previous)
                .encode(new GenericDatumReader<GenericRecord>(LatentRecord.getClassSchema(), previous).read(null,
                        DecoderFactory.get().binaryDecoder(body(AvroCodec.of(LatentRecord.class).encode(imported)),
                                null))));

        LatentRecord read = AvroCodec.of(LatentRecord.class).decode(writtenByPrevious);

        assertThat(read.getLatents()).isEqualTo("mean");
        assertThat(read.getScalingFactor()).isEqualTo(0.3611);
        assertThat(read.getLatentSpace()).isEqualTo("ls-0123456789abcdef");
    }

    /** The Avro binary body of a single-object-encoded record: after the 2-byte marker and 8-byte fingerprint. */
    private static byte[] body(byte[] singleObject) {
        return Arrays.copyOfRange(singleObject, 10, singleObject.length);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
