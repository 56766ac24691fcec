package io.latentflow.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ShardWriterTest {

    private static final int[] SHAPE = {8, 4, 4};

    @TempDir
    Path dir;

    private record Sample(String imageId, String key, float[] latent) {
    }

    @Test
    void writesSamplesThatAnIndependentTarAndNpyReaderReadBack() throws Exception {
        List<Sample> samples = samples(List.of("cat/01.jpg", "../../etc/passwd", "日本", "dog 02.png"));
        Path shard = dir.resolve("part-0-0.tar");
        long bytesBeforeFinish;
        try (ShardWriter writer = new ShardWriter(shard)) {
            for (Sample sample : samples) {
                writer.add(sample.key(), Npy.float16(sample.latent(), SHAPE), metadata(sample).toJson());
            }
            assertThat(writer.samples()).isEqualTo(samples.size());
            assertThat(writer.contains(samples.get(1).key())).isTrue();
            assertThat(writer.contains("absent_0000000000000000")).isFalse();
            bytesBeforeFinish = writer.bytes();
            assertThat(writer.finish()).isEqualTo(shard);
            assertThat(writer.bytes()).isEqualTo(Files.size(shard)).isEqualTo(bytesBeforeFinish + 1024);
        }
        assertThat(shard).exists();

        List<UstarReader.Member> members = UstarReader.read(Files.readAllBytes(shard));

        assertThat(members).hasSize(2 * samples.size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < samples.size(); i++) {
            Sample sample = samples.get(i);
            UstarReader.Member latentMember = members.get(2 * i);
            UstarReader.Member metadataMember = members.get(2 * i + 1);
            assertThat(latentMember.name()).isEqualTo(sample.key() + ".latent.npy").isEqualTo(ShardWriter.latentMember(sample.key()));
            assertThat(metadataMember.name()).isEqualTo(sample.key() + ".json");
            for (UstarReader.Member member : List.of(latentMember, metadataMember)) {
                assertThat(member.magic()).isEqualTo("ustar\0");
                assertThat(member.version()).isEqualTo("00");
                assertThat(member.mode()).isEqualTo(0644);
                assertThat(member.mtime()).isZero();
                assertThat(member.uid()).isZero();
                assertThat(member.gid()).isZero();
            }
            NpyFile latent = NpyFile.parseFloat16(latentMember.content());
            assertThat(latent.shape()).containsExactly(SHAPE);
            for (int v = 0; v < sample.latent().length; v++) {
                float expected = sample.latent()[v];
                assertThat(latent.values()[v]).as("%s value %d", sample.imageId(), v).isCloseTo(expected, within(NpyTest.halfUlp(expected)));
            }
            JsonNode metadata = json.readTree(metadataMember.content());
            assertThat(metadata.get("imageId").asText()).isEqualTo(sample.imageId());
            assertThat(metadata.get("key").asText()).isEqualTo(sample.key());
        }
    }

    @Test
    void writesByteIdenticalShardsForTheSameSamples() throws Exception {
        List<Sample> samples = samples(List.of("a", "b", "c"));
        Path first = write(dir.resolve("first.tar"), samples);
        Path second = write(dir.resolve("second.tar"), samples);
        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
    }

    @Test
    void handlesKeysLongerThanTheUstarNameField() throws Exception {
        String longKey = "k".repeat(150);
        Path shard = dir.resolve("long.tar");
        try (ShardWriter writer = new ShardWriter(shard)) {
            writer.add(longKey, Npy.float16(new float[]{1f}, 1), "{}".getBytes());
            writer.finish();
        }
        List<UstarReader.Member> members = UstarReader.read(Files.readAllBytes(shard));
        assertThat(members).extracting(UstarReader.Member::name).containsExactly(longKey + ".latent.npy", longKey + ".json");
    }

    @Test
    void writesTheCaptionAsATextMemberBesideTheLatentAndTheLabelInItsJson() throws Exception {
        Path shard = dir.resolve("captioned.tar");
        String caption = "Ein Mädchen mit einem 🐈 unter 桜の木";
        try (ShardWriter writer = new ShardWriter(shard)) {
            byte[] json = new SampleMetadata("wds/000001", "000001", "wds", "v1", List.of(1), 0, 0,
                    io.latentflow.schemas.LatentSummary.newBuilder().setMean(0).setStd(0).setMin(0).setMax(0)
                            .setFractionOutsideUnit(0).build(), Map.of(), "", 1.0, 0.0, StoredLatents.MEAN, "cat").toJson();
            writer.add("000001", Npy.float16(new float[]{1f}, 1), json, caption);
            writer.add("000002", Npy.float16(new float[]{1f}, 1), "{}".getBytes());
            writer.finish();
        }
        List<UstarReader.Member> members = UstarReader.read(Files.readAllBytes(shard));
        assertThat(members).extracting(UstarReader.Member::name).containsExactly("000001.latent.npy", "000001.json",
                "000001.txt", "000002.latent.npy", "000002.json");
        assertThat(new String(members.get(2).content(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(caption);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(members.get(1).content()).get("label")
                .asText()).isEqualTo("cat");
    }

    @Test
    void refusesUnsafeAndDuplicateKeys() throws Exception {
        try (ShardWriter writer = new ShardWriter(dir.resolve("refuse.tar"))) {
            byte[] npy = Npy.float16(new float[]{0f}, 1);
            for (String bad : new String[]{"../x", "a/b", "a.b", "", "a b"}) {
                assertThatThrownBy(() -> writer.add(bad, npy, new byte[0])).hasMessageContaining("SampleKeys.of");
            }
            writer.add("same_0000000000000000", npy, new byte[0]);
            assertThatThrownBy(() -> writer.add("same_0000000000000000", npy, new byte[0]))
                    .hasMessageContaining("already holds").hasMessageContaining("same_0000000000000000");
            assertThat(writer.samples()).isEqualTo(1);
        }
    }

    @Test
    void anEmptyShardIsAValidTar() throws Exception {
        Path shard = dir.resolve("empty.tar");
        try (ShardWriter writer = new ShardWriter(shard)) {
            writer.finish();
        }
        assertThat(UstarReader.read(Files.readAllBytes(shard))).isEmpty();
    }

    @Test
    void closingWithoutFinishingDeletesTheIncompleteShard() throws Exception {
        Path shard = dir.resolve("aborted.tar");
        ShardWriter writer = new ShardWriter(shard);
        writer.add("x_0000000000000000", Npy.float16(new float[]{0f}, 1), new byte[0]);
        writer.close();
        assertThat(shard).doesNotExist();
        assertThatThrownBy(writer::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.add("y_0000000000000000", new byte[0], new byte[0])).isInstanceOf(IllegalStateException.class);
    }

    private Path write(Path shard, List<Sample> samples) throws IOException {
        try (ShardWriter writer = new ShardWriter(shard)) {
            for (Sample sample : samples) {
                writer.add(sample.key(), Npy.float16(sample.latent(), SHAPE), metadata(sample).toJson());
            }
            return writer.finish();
        }
    }

    private static List<Sample> samples(List<String> ids) throws Exception {
        Random random = new Random(11);
        List<Sample> samples = new ArrayList<>();
        for (String id : ids) {
            float[] latent = new float[SHAPE[0] * SHAPE[1] * SHAPE[2]];
            for (int i = 0; i < latent.length; i++) {
                latent[i] = (float) Math.tanh(random.nextGaussian() * 1.5);
            }
            samples.add(new Sample(id, SampleKeys.of(id), latent));
        }
        return samples;
    }

    private static SampleMetadata metadata(Sample sample) {
        return SampleMetadata.of(sample.imageId(), sample.key(), "test", "v1", List.of(SHAPE[0], SHAPE[1], SHAPE[2]),
                1_000L, 2_000L, LatentSummaries.of(sample.latent()), Map.of("split", "train"));
    }
}
