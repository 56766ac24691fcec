package io.latentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Guards {@code avro-history/fingerprints.json}: a third-party reader finds a record's writer schema by the 8 bytes
 * after its marker, looked up there. It cannot safely compute them itself: Debian's Python avro (1.11) writes a
 * different canonical form for a type with a logical type, so its fingerprints of ImageRecord and others differ.
 */
class SchemaFingerprintsTest {

    private static final List<Class<? extends SpecificRecord>> RECORDS = List.of(ImageRecord.class,
            LatentRecord.class, LatentSummary.class, DeadLetter.class, LatentStatsWindow.class, ChannelStats.class,
            ImageOutlier.class, DriftAlert.class, ModelEvent.class, TrainingRequest.class, TrainingProgress.class,
            ShardCommitted.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theIndexNamesEveryReleasedVersionByTheBytesItsRecordsCarry() throws IOException {
        Map<String, String> expected = new TreeMap<>();
        for (Class<? extends SpecificRecord> type : RECORDS) {
            List<Schema> released = SchemaHistory.released(type).schemas();
            for (int i = 0; i < released.size(); i++) {
                expected.put(wireFingerprint(released.get(i)), type.getSimpleName() + "/v" + (i + 1) + ".avsc");
            }
        }

        assertThat(index()).as("avro-history/fingerprints.json is out of date; it should read:%n%s",
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected)).isEqualTo(expected);
    }

    @Test
    void aRecordWrittenTodayIsFoundInTheIndexUnderItsNewestVersion() throws IOException {
        byte[] bytes = AvroCodec.of(ImageRecord.class).encode(Records.inlineImage());

        String fingerprint = HexFormat.of().formatHex(Arrays.copyOfRange(bytes, 2, 10));

        int newest = SchemaHistory.released(ImageRecord.class).schemas().size();
        assertThat(index()).containsEntry(fingerprint, "ImageRecord/v" + newest + ".avsc");
    }

    /** The fingerprint as single-object encoding writes it: CRC-64-AVRO of the parsing form, little-endian. */
    private static String wireFingerprint(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        return HexFormat.of().formatHex(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array());
    }

    private static Map<String, String> index() throws IOException {
        try (InputStream in = SchemaFingerprintsTest.class.getClassLoader()
                .getResourceAsStream(SchemaHistory.RESOURCE_ROOT + "fingerprints.json")) {
            assertThat(in).as("avro-history/fingerprints.json").isNotNull();
            return JSON.readValue(in, new TypeReference<TreeMap<String, String>>() { });
        }
    }
}
