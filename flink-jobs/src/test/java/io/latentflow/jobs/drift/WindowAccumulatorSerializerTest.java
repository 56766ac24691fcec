package io.latentflow.jobs.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.model.drift.WindowAccumulator;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class WindowAccumulatorSerializerTest {

    @Test
    void windowStateSurvivesSerializationAndCopyIsDeep() throws Exception {
        WindowAccumulator accumulator = new WindowAccumulator(SyntheticLatents.profile());
        for (EncodedLatent latent : SyntheticLatents.latents(20, 0, 1000, new double[]{0.1, 0, 0, 0}, 4)) {
            accumulator.add(latent.image.imageId, latent.image.source, latent.image.eventTime, latent.latent, 1.1);
        }
        WindowAccumulatorSerializer serializer = WindowAccumulatorSerializer.INSTANCE;

        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(accumulator, out);
        WindowAccumulator read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        WindowAccumulator copy = serializer.copy(accumulator);
        copy.add("extra", "s", 0, SyntheticLatents.latents(1, 0, 1, new double[4], 5).get(0).latent, 1);

        assertThat(read.result()).usingRecursiveComparison().isEqualTo(accumulator.result());
        assertThat(accumulator.images()).isEqualTo(20);
        assertThat(copy.images()).isEqualTo(21);
        assertThat(serializer.snapshotConfiguration().restoreSerializer()).isSameAs(serializer);
    }
}
