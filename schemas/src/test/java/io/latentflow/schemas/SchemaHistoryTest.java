package io.latentflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Guards the rule in src/main/avro-history/README.md for every record type. */
class SchemaHistoryTest {

    @ParameterizedTest
    @ValueSource(classes = {ImageRecord.class, LatentRecord.class, LatentSummary.class, DeadLetter.class,
            LatentStatsWindow.class, ChannelStats.class, ImageOutlier.class, DriftAlert.class, ModelEvent.class,
            TrainingRequest.class, TrainingProgress.class, ShardCommitted.class})
    void theCurrentSchemaIsTheLatestReleasedVersion(Class<? extends SpecificRecord> type) {
        List<Schema> released = SchemaHistory.released(type).schemas();
        Schema current = AvroCodec.of(type).schema();

        assertThat(released).as("versions under avro-history/%s/", type.getSimpleName()).isNotEmpty();
        assertThat(SchemaNormalization.parsingFingerprint64(released.get(released.size() - 1)))
                .as("%s changed: add it to avro-history/%s/ as v%d.avsc",
                        type.getSimpleName(), type.getSimpleName(), released.size() + 1)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
    }

    @ParameterizedTest
    @ValueSource(classes = {ImageRecord.class, LatentRecord.class, LatentSummary.class, DeadLetter.class,
            LatentStatsWindow.class, ChannelStats.class, ImageOutlier.class, DriftAlert.class, ModelEvent.class,
            TrainingRequest.class, TrainingProgress.class, ShardCommitted.class})
    void everyReleasedVersionCanBeReadWithTheCurrentSchema(Class<? extends SpecificRecord> type) {
        Schema current = AvroCodec.of(type).schema();
        List<Schema> released = SchemaHistory.released(type).schemas();

        for (int i = 0; i < released.size(); i++) {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released.get(i));
            assertThat(result.getType())
                    .as("reading v%d of %s: %s", i + 1, type.getSimpleName(), result.getResult().getIncompatibilities())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }
}
