package io.latentflow.shards;

import io.latentflow.imaging.ImageRejectedException;
import io.latentflow.schemas.DeadLetterReason;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SampleKeysTest {

    private static final String SAFE_KEY = "[A-Za-z0-9_-]+";

    @Test
    void keepsAReadablePrefixAndAddsAHashOfTheId() throws Exception {
        String key = SampleKeys.of("photos/2024/cat 01.jpg");
        assertThat(key).matches("photos-2024-cat-01-jpg_[0-9a-f]{16}");
        assertThat(SampleKeys.of("photos/2024/cat 01.jpg")).as("stable").isEqualTo(key);
        assertThat(SampleKeys.of("img_0001")).matches("img_0001_[0-9a-f]{16}");
    }

    @Test
    void keepsASafeDatasetKeyAsItIsAndMakesAnUnsafeOneSafe() throws Exception {
        assertThat(SampleKeys.ofDatasetKey("000012345")).isEqualTo("000012345");
        assertThat(SampleKeys.ofDatasetKey("shard_7-sample_3")).isEqualTo("shard_7-sample_3");
        assertThat(SampleKeys.ofDatasetKey("a/b.c")).matches("a-b-c_[0-9a-f]{16}");
        assertThat(SampleKeys.ofDatasetKey("-rf")).matches("rf_[0-9a-f]{16}");
        assertThat(SampleKeys.ofDatasetKey("k".repeat(200))).matches("k{64}_[0-9a-f]{16}");
    }

    @Test
    void neverLetsAnIdEscapeOrSplitItsMemberName() throws Exception {
        List<String> hostile = List.of("../../x", "/etc/passwd", "a/b", "..", ".", "./.", "a/../../b", "\\..\\windows",
                "x.latent.npy", "x.json", "-rf", "--help", "  ", "\u0000", "a\nb", "C:\\temp\\x", "s3://bucket/key",
                "日本語の写真", "😀😀", "naïve café", "%2e%2e%2f", "CON", "a".repeat(1024));
        for (String id : hostile) {
            String key = SampleKeys.of(id);
            assertThat(key).as(id).matches(SAFE_KEY).doesNotContain(".").doesNotContain("/").doesNotStartWith("-");
            assertThat(key.length()).as(id).isLessThanOrEqualTo(SampleKeys.MAX_KEY_LENGTH);
            assertThat(SampleKeys.isKey(key)).isTrue();
        }
        assertThat(SampleKeys.of("..")).as("no safe character: the hash alone").matches("[0-9a-f]{16}");
        assertThat(SampleKeys.of("日本語の写真")).matches("[0-9a-f]{16}");
        assertThat(SampleKeys.of("naïve café")).matches("na-ve-caf_[0-9a-f]{16}");
    }

    @Test
    void idsThatSanitiseAlikeGetDifferentKeys() throws Exception {
        List<String> sameSanitisedPrefix = List.of("a/b", "a.b", "a b", "a?b", "a//b", "a..b", "a-b", "a\u00e9b", "a/b/");
        assertThat(sameSanitisedPrefix.stream().map(SampleKeysTest::key).distinct()).hasSize(sameSanitisedPrefix.size());
        String longCommonStart = "x".repeat(SampleKeys.PREFIX_LENGTH);
        assertThat(key(longCommonStart + "1")).isNotEqualTo(key(longCommonStart + "2"));
        assertThat(key(longCommonStart + "1")).startsWith(longCommonStart + "_");
        assertThat(key("Cat")).as("distinct on case-insensitive file systems too").isNotEqualToIgnoringCase(key("cat"));
    }

    @Test
    void manyIdsWithFewDistinctPrefixesNeverShareAKey() {
        Random random = new Random(3);
        Map<String, String> idByKey = new HashMap<>();
        String alphabet = "ab./ _-";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder id = new StringBuilder();
            for (int c = 0, n = 1 + random.nextInt(8); c < n; c++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String previous = idByKey.putIfAbsent(key(id.toString()), id.toString());
            assertThat(previous == null || previous.contentEquals(id)).as("%s and %s", previous, id).isTrue();
        }
    }

    @Test
    void refusesMissingAbsurdlyLongAndMalformedIds() throws Exception {
        assertInvalid(null, "missing");
        assertInvalid("", "missing");
        assertInvalid("a".repeat(1025), "1025 characters");
        assertInvalid("bad\uD800id", "surrogate");
        assertInvalid("\uDC00", "surrogate");
        assertThat(SampleKeys.of("a".repeat(1024))).matches(SAFE_KEY);
        assertThat(SampleKeys.of("ok😀")).as("a valid surrogate pair").matches("ok_[0-9a-f]{16}");
    }

    private static void assertInvalid(String id, String messagePart) {
        ImageRejectedException refused = catchThrowableOfType(ImageRejectedException.class, () -> SampleKeys.of(id));
        assertThat(refused).as(String.valueOf(id)).isNotNull();
        assertThat(refused.reason()).isEqualTo(DeadLetterReason.INVALID_ID);
        assertThat(refused.getMessage()).contains(messagePart);
    }

    private static String key(String id) {
        try {
            return SampleKeys.of(id);
        } catch (ImageRejectedException e) {
            throw new AssertionError(e.getMessage());
        }
    }
}
