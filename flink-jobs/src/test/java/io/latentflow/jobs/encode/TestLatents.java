package io.latentflow.jobs.encode;

import io.latentflow.schemas.LatentSummary;
import io.latentflow.shards.StoredLatents;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** Encoded latents for the shard writer's tests: 8x8x8, values in [-1, 1] drawn from the key, so equal keys agree. */
final class TestLatents {

    private TestLatents() {
    }

    /** The latent of the image {@code "id-" + key} (sample key {@code key}) as model {@code modelVersion} encodes it. */
    static EncodedLatent of(String key, String modelVersion) {
        PreparedImage image = new PreparedImage();
        image.topic = "images";
        image.offset = key.hashCode();
        image.imageId = "id-" + key;
        image.sampleKey = key;
        image.source = "test";
        image.eventTime = 1_700_000_000_000L;
        image.attributes = new HashMap<>(Map.of("k", "v"));
        image.originalWidth = 256;
        image.originalHeight = 256;
        image.size = 64;
        float[] values = new float[8 * 8 * 8];
        Random random = new Random(key.hashCode());
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.tanh(random.nextGaussian());
        }
        return new EncodedLatent(image, modelVersion, new int[] {8, 8, 8}, values,
                new LatentSummary(0f, 1f, -1f, 1f, 0f), 1_700_000_001_000L, "sha256:test-space", 1.0, 0.0,
                StoredLatents.MEAN);
    }
}
