package io.latentflow.cli.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Captions as written, metadata within the encode job's caps. */
class IngestSidecarsTest {

    @Test
    void aCaptionIsItsTextExactlyLessTheLineBreaksAtItsEnd() throws Exception {
        String text = "  Ein Mädchen mit 🐈\nunter 桜  ";
        assertThat(IngestSidecars.caption((text + "\r\n\n").getBytes(StandardCharsets.UTF_8), "a.txt"))
                .isEqualTo(text);
        assertThat(IngestSidecars.caption(("\uFEFF" + text).getBytes(StandardCharsets.UTF_8), "a.txt"))
                .as("a byte-order mark is no part of it").isEqualTo(text);
        assertThatThrownBy(() -> IngestSidecars.caption(new byte[]{'a', (byte) 0xE9, 'b'}, "a.txt"))
                .hasMessageContaining("a.txt is not UTF-8");
    }

    @Test
    void metadataKeepsTopLevelScalarsWithinTheCapsAndCountsWhatItLeavesOut() throws Exception {
        StringBuilder json = new StringBuilder("{\"file\": \"theirs\", \"width\": 640, \"nsfw\": false,"
                + " \"exif\": {\"a\": 1}, \"none\": null, \"long\": \"" + "x".repeat(2000) + "\"");
        for (int i = 0; i < 60; i++) {
            json.append(", \"f").append(i).append("\": \"v\"");
        }
        Map<String, String> attributes = IngestSidecars.attributes(
                IngestSidecars.metadata(json.append('}').toString().getBytes(StandardCharsets.UTF_8), "a.json"),
                Set.of("file"));
        assertThat(attributes).containsEntry("width", "640").containsEntry("nsfw", "false")
                .doesNotContainKeys("file", "exif", "none", "long");
        assertThat(attributes).hasSize(IngestSidecars.MAX_METADATA_FIELDS + 1);
        // exif, long and the fields past the cap: 60 + 2 fields seen, 38 of the f-fields kept
        assertThat(attributes.get(IngestSidecars.LEFT_OUT)).isEqualTo(String.valueOf(2 + 60 - 38));
        assertThatThrownBy(() -> IngestSidecars.metadata("[1]".getBytes(), "a.json"))
                .hasMessageContaining("not a JSON object");
    }
}
