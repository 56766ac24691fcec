package io.latentflow.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.schemas.LatentSummary;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SampleMetadataTest {

    static final LatentSummary SUMMARY = new LatentSummary(0.25f, 0.5f, -0.75f, 1.5f, 0.125f);

    @Test
    void writesEveryFieldAsJson() throws Exception {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("zeta", "last");
        attributes.put("alpha", "first");
        SampleMetadata metadata = SampleMetadata.of("cat/01.jpg", "cat-01-jpg_0123456789abcdef", "camera-7", "ae-f8c8-v1",
                List.of(8, 32, 32), 1_700_000_000_000L, 1_700_000_000_500L, SUMMARY, attributes);

        JsonNode json = new ObjectMapper().readTree(metadata.toJson());

        assertThat(json.get("imageId").asText()).isEqualTo("cat/01.jpg");
        assertThat(json.get("key").asText()).isEqualTo("cat-01-jpg_0123456789abcdef");
        assertThat(json.get("source").asText()).isEqualTo("camera-7");
        assertThat(json.get("modelVersion").asText()).isEqualTo("ae-f8c8-v1");
        assertThat(json.get("shape").toString()).isEqualTo("[8,32,32]");
        assertThat(json.get("dtype").asText()).isEqualTo("float16");
        assertThat(json.get("eventTime").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(json.get("processingTime").asLong()).isEqualTo(1_700_000_000_500L);
        JsonNode summary = json.get("summary");
        assertThat(summary.get("mean").asDouble()).isEqualTo(0.25);
        assertThat(summary.get("std").asDouble()).isEqualTo(0.5);
        assertThat(summary.get("min").asDouble()).isEqualTo(-0.75);
        assertThat(summary.get("max").asDouble()).isEqualTo(1.5);
        assertThat(summary.get("fractionOutsideUnit").asDouble()).isEqualTo(0.125);
        assertThat(json.get("attributes").toString()).as("sorted, so bytes are reproducible").isEqualTo("{\"alpha\":\"first\",\"zeta\":\"last\"}");
    }

    @Test
    void saysWhatTheLatentMeansAndHowToUndoItsScaleAndShift() throws Exception {
        JsonNode own = new ObjectMapper().readTree(SampleMetadata.of("id", "k", "s", "v1", List.of(8, 4, 4), 0, 0,
                SUMMARY, Map.of()).toJson());
        assertThat(own.get("scalingFactor").asDouble()).isEqualTo(1.0);
        assertThat(own.get("shiftFactor").asDouble()).isEqualTo(0.0);

        JsonNode imported = new ObjectMapper().readTree(new SampleMetadata("id", "k", "s", "flux", List.of(16, 4, 4),
                0, 0, SUMMARY, Map.of(), "ls-0123456789abcdef", 0.3611, 0.1159, StoredLatents.MEAN, null).toJson());
        assertThat(imported.get("latentSpace").asText()).isEqualTo("ls-0123456789abcdef");
        assertThat(imported.get("scalingFactor").asDouble()).isEqualTo(0.3611);
        assertThat(imported.get("shiftFactor").asDouble()).isEqualTo(0.1159);
        assertThat(imported.get("latents").asText()).isEqualTo("mean");

        JsonNode moments = new ObjectMapper().readTree(new SampleMetadata("id", "k", "s", "flux", List.of(32, 4, 4),
                0, 0, SUMMARY, Map.of(), "ls-0123456789abcdef", 0.3611, 0.1159, StoredLatents.MOMENTS, null).toJson());
        assertThat(moments.get("latents").asText()).isEqualTo("moments");
        assertThat(StoredLatents.fromJsonName(moments.get("latents").asText()).storedChannels(16)).isEqualTo(32);
    }

    @Test
    void defaultsMissingSourceAndAttributes() throws Exception {
        SampleMetadata metadata = SampleMetadata.of("id", "id_0123456789abcdef", null, "v1", List.of(4, 8, 8), 0, 0, SUMMARY, null);
        JsonNode json = new ObjectMapper().readTree(metadata.toJson());
        assertThat(json.get("source").asText()).isEmpty();
        assertThat(json.get("attributes").size()).isZero();
    }
}
