package io.latentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    private final AvroCodec<ImageRecord> images = AvroCodec.of(ImageRecord.class);

    @Test
    void everyRecordTypeSurvivesARoundTrip() throws Exception {
        assertThat(images.decode(images.encode(Records.inlineImage()))).isEqualTo(Records.inlineImage());
        assertThat(images.decode(images.encode(Records.imageByReference()))).isEqualTo(Records.imageByReference());

        AvroCodec<LatentRecord> latents = AvroCodec.of(LatentRecord.class);
        assertThat(latents.decode(latents.encode(Records.latent()))).isEqualTo(Records.latent());

        AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
        assertThat(deadLetters.decode(deadLetters.encode(Records.deadLetter()))).isEqualTo(Records.deadLetter());

        AvroCodec<LatentSummary> summaries = AvroCodec.of(LatentSummary.class);
        assertThat(summaries.decode(summaries.encode(Records.summary()))).isEqualTo(Records.summary());
    }

    @Test
    void bytesAreAvroSingleObjectEncodingReadableWithoutThisCodec() throws Exception {
        byte[] encoded = images.encode(Records.inlineImage());

        assertThat(Arrays.copyOf(encoded, 2)).containsExactly(0xC3, 0x01);
        assertThat(ImageRecord.fromByteBuffer(ByteBuffer.wrap(encoded))).isEqualTo(Records.inlineImage());

        ByteBuffer fromGeneratedEncoder = Records.latent().toByteBuffer();
        byte[] bytes = new byte[fromGeneratedEncoder.remaining()];
        fromGeneratedEncoder.get(bytes);
        assertThat(AvroCodec.of(LatentRecord.class).decode(bytes)).isEqualTo(Records.latent());
    }

    @Test
    void aCodecStillWorksAfterJavaSerializationAsFlinkShipsIt() throws Exception {
        images.decode(images.encode(Records.inlineImage())); // builds the transient readers first

        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buffer)) {
            out.writeObject(images);
        }
        @SuppressWarnings("unchecked")
        AvroCodec<ImageRecord> copy = (AvroCodec<ImageRecord>)
                new ObjectInputStream(new ByteArrayInputStream(buffer.toByteArray())).readObject();

        assertThat(copy.decode(copy.encode(Records.inlineImage()))).isEqualTo(Records.inlineImage());
    }

    @Test
    void bytesThatAreNotAvroAreRefusedWithTheReason() {
        byte[] jpegNotWrappedInARecord = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0};

        assertThatThrownBy(() -> images.decode(jpegNotWrappedInARecord))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("Not an Avro single-object encoded ImageRecord")
                .hasMessageContaining("FF D8 FF E0");
        assertThatThrownBy(() -> images.decode(new byte[0]))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("got 0 bytes");
        assertThatThrownBy(() -> images.decode(null))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("No bytes (null)");
    }

    @Test
    void truncatedBytesAreRefusedAsTruncated() {
        byte[] encoded = images.encode(Records.inlineImage());

        for (int length : new int[] {5, 10, 14, encoded.length - 1}) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> images.decode(truncated))
                    .as("first %d of %d bytes", length, encoded.length)
                    .isInstanceOf(MalformedRecordException.class)
                    .hasMessageMatching("(Not an Avro single-object|Truncated).*");
        }
        assertThatThrownBy(() -> images.decode(Arrays.copyOf(encoded, encoded.length - 1)))
                .hasMessageStartingWith("Truncated or corrupt ImageRecord");
    }

    @Test
    void bytesAfterTheRecordAreRefused() {
        byte[] encoded = images.encode(Records.inlineImage());
        byte[] padded = Arrays.copyOf(encoded, encoded.length + 3);

        assertThatThrownBy(() -> images.decode(padded))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("3 unexpected bytes after the end of the record");
    }

    @Test
    void aRecordOfAnotherTypeIsRefusedAsAnUnknownSchema() {
        byte[] deadLetter = AvroCodec.of(DeadLetter.class).encode(Records.deadLetter());

        assertThatThrownBy(() -> images.decode(deadLetter))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("Unknown writer schema for ImageRecord")
                .hasMessageContaining("avro-history/ImageRecord/")
                .as("the bytes as the record carries them, as fingerprints.json lists them")
                .hasMessageContaining("fingerprint bytes " + HexFormat.of().formatHex(deadLetter, 2, 10))
                .hasMessageContaining("avro-history/fingerprints.json");
    }

    @Test
    void aCorruptLengthPrefixIsRefusedWithoutAllocatingWhatItClaims() throws Exception {
        // Avro's own decoder would allocate an array for a billion items (about 4 GB) here.
        AvroCodec<LatentRecord> latents = AvroCodec.of(LatentRecord.class);
        byte[] hugeShape = headerOf(latents.encode(Records.latent()), body -> {
            body.writeString("photo-0001");
            body.writeString("camera-7");
            body.writeString("ae-f8c8-v3");
            body.writeLong(1_000_000_000L); // shape: a block of a billion ints
        });
        assertThatThrownBy(() -> latents.decode(hugeShape))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("claims 1000000000 items");

        byte[] hugeId = headerOf(images.encode(Records.inlineImage()), body -> body.writeLong(2_000_000_000L));
        assertThatThrownBy(() -> images.decode(hugeId))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("claims 2000000000 bytes");
    }

    private interface BodyWriter {
        void write(BinaryEncoder body) throws IOException;
    }

    private static byte[] headerOf(byte[] valid, BodyWriter writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(valid, 0, 10);
        BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(body);
        body.flush();
        return out.toByteArray();
    }
}
