package io.latentflow.schemas;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns records of one generated type into bytes and back, in Avro single-object encoding:
 * the marker {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
 * schema, then the Avro binary body. The fingerprint lets a reader resolve records written
 * with any released version of the schema ({@link SchemaHistory}) into the current class.
 *
 * <p>Serializable so that Flink functions can hold one; the encoder and the readers are built
 * once per JVM instance, lazily, and are safe to use from several threads.
 *
 * <p>Decoding reads the header and body itself instead of using Avro's BinaryMessageDecoder,
 * which allocates whatever a corrupt length prefix claims (see {@link BoundedBinaryDecoder});
 * the bytes on the wire are the same, and generated classes' {@code fromByteBuffer} read them.
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};
    private static final int HEADER_LENGTH = MARKER.length + Long.BYTES;

    private final Class<T> type;
    private final SchemaHistory history;

    private transient volatile BinaryMessageEncoder<T> encoder;
    private transient volatile Readers<T> readers;

    private AvroCodec(Class<T> type, SchemaHistory history) {
        this.type = type;
        this.history = history;
    }

    /** A codec that reads the current schema of {@code type} and every version released with it. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, SchemaHistory.released(type));
    }

    /** A codec that resolves writer schemas from {@code history} instead of the released ones. */
    static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaHistory history) {
        return new AvroCodec<>(type, history);
    }

    public Class<T> type() {
        return type;
    }

    /** The schema records are written with and read into. */
    public Schema schema() {
        return model().getSchema(type);
    }

    /**
     * The record in single-object encoding.
     *
     * @throws IllegalArgumentException if the record cannot be written, e.g. a required field is null
     */
    public byte[] encode(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encoder().encode(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /**
     * The record these bytes hold, resolved into the current schema: fields the writer did not
     * know get their defaults, enum symbols the reader does not know become the enum's default.
     *
     * @throws MalformedRecordException if the bytes are not a complete single-object encoded
     *     record of a known version of this type
     */
    public T decode(byte[] bytes) throws MalformedRecordException {
        String name = type.getSimpleName();
        if (bytes == null) {
            throw new MalformedRecordException("No bytes (null) where an Avro-encoded " + name + " was expected");
        }
        if (bytes.length < HEADER_LENGTH || bytes[0] != MARKER[0] || bytes[1] != MARKER[1]) {
            throw new MalformedRecordException(String.format(
                    "Not an Avro single-object encoded %s: expected %d header bytes starting with C3 01, got %d bytes starting with %s",
                    name, HEADER_LENGTH, bytes.length, hexPrefix(bytes)));
        }
        long fingerprint = fingerprint(bytes);
        SpecificDatumReader<T> reader = readers().forFingerprint(fingerprint);
        if (reader == null) {
            throw new MalformedRecordException(String.format(
                    "Unknown writer schema for %s (fingerprint bytes %s): it is neither the current schema nor one of"
                            + " the %d released under %s%s/. Was it written for another topic, or by a newer producer?"
                            + " Upgrade this reader to a release that knows that schema. (A producer of its own finds"
                            + " the bytes of each released schema in %sfingerprints.json.)",
                    name, HexFormat.of().formatHex(bytes, MARKER.length, HEADER_LENGTH), history.size(),
                    SchemaHistory.RESOURCE_ROOT, history.recordName(), SchemaHistory.RESOURCE_ROOT));
        }
        BoundedBinaryDecoder body = new BoundedBinaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
        T record;
        try {
            record = reader.read(null, body);
        } catch (IOException e) {
            throw new MalformedRecordException(String.format(
                    "Truncated or corrupt %s (%d bytes): %s", name, bytes.length, describe(e)), e);
        } catch (RuntimeException e) {
            throw new MalformedRecordException(String.format(
                    "Corrupt %s (%d bytes): its body does not match its writer schema: %s", name, bytes.length, describe(e)), e);
        }
        if (body.bytesLeft() > 0) {
            throw new MalformedRecordException(String.format(
                    "Corrupt %s: %d unexpected bytes after the end of the record (%d bytes in all)",
                    name, body.bytesLeft(), bytes.length));
        }
        return record;
    }

    private static long fingerprint(byte[] bytes) {
        long fingerprint = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            fingerprint = (fingerprint << 8) | (bytes[MARKER.length + i] & 0xFFL);
        }
        return fingerprint;
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 4); i++) {
            hex.append(String.format("%02X ", bytes[i]));
        }
        return bytes.length == 0 ? "nothing" : hex.toString().trim();
    }

    private static String describe(Exception e) {
        if (e.getMessage() != null) {
            return e.getMessage();
        }
        return e instanceof EOFException ? "the bytes end before the record does" : e.getClass().getSimpleName();
    }

    private SpecificData model() {
        // The generated class's own model: it carries the logical-type conversions (Instant, ...).
        return SpecificData.getForClass(type);
    }

    private BinaryMessageEncoder<T> encoder() {
        BinaryMessageEncoder<T> built = encoder;
        if (built == null) {
            built = new BinaryMessageEncoder<>(model(), schema());
            encoder = built;
        }
        return built;
    }

    private Readers<T> readers() {
        Readers<T> built = readers;
        if (built == null) {
            built = new Readers<>(model(), schema(), history);
            readers = built;
        }
        return built;
    }

    /** One resolving reader per writer schema, built on first use of that schema. */
    private static final class Readers<T> {
        private final SpecificData model;
        private final Schema readerSchema;
        private final SchemaStore.Cache writerSchemas = new SchemaStore.Cache();
        private final Map<Long, SpecificDatumReader<T>> byFingerprint = new ConcurrentHashMap<>();

        Readers(SpecificData model, Schema readerSchema, SchemaHistory history) {
            this.model = model;
            this.readerSchema = readerSchema;
            writerSchemas.addSchema(readerSchema);
            history.schemas().forEach(writerSchemas::addSchema);
        }

        SpecificDatumReader<T> forFingerprint(long fingerprint) {
            SpecificDatumReader<T> reader = byFingerprint.get(fingerprint);
            if (reader != null) {
                return reader;
            }
            Schema writerSchema = writerSchemas.findByFingerprint(fingerprint);
            if (writerSchema == null) {
                return null;
            }
            return byFingerprint.computeIfAbsent(
                    fingerprint, fp -> new SpecificDatumReader<>(writerSchema, readerSchema, model));
        }
    }
}
