package io.latentflow.jobs.drift;

import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.schemas.LatentSummary;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/** Encoder output with known distributions: 4 channels of 8 x 8 positions, channel c ~ N(mean[c], 0.25^2). */
final class SyntheticLatents {

    static final String MODEL = "synthetic-f8c4";
    static final int CHANNELS = 4;
    static final int POSITIONS = 64;
    static final double STD = 0.25;

    private SyntheticLatents() {
    }

    static ReferenceProfile profile() {
        List<float[]> latents = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 300; i++) {
            latents.add(values(new double[CHANNELS], random));
        }
        return ReferenceProfile.of(MODEL, AutoencoderConfig.boundedF8C4(), Optional.empty(), 64, latents, "synthetic");
    }

    /** {@code count} latents with event times {@code firstEventTime + i * step}, channels shifted by {@code mean}. */
    static List<EncodedLatent> latents(int count, long firstEventTime, long step, double[] mean, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EncodedLatent> latents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long eventTime = firstEventTime + i * step;
            latents.add(latent("img-" + eventTime, eventTime, values(mean, random)));
        }
        return latents;
    }

    static EncodedLatent latent(String id, long eventTime, float[] values) {
        PreparedImage image = new PreparedImage();
        image.imageId = id;
        image.source = "synthetic";
        image.eventTime = eventTime;
        image.topic = "images";
        image.sampleKey = id;
        return EncodedLatent.ofOwnModel(image, MODEL, new int[]{CHANNELS, 8, 8}, values,
                new LatentSummary(0f, 0f, 0f, 0f, 0f), eventTime);
    }

    private static float[] values(double[] mean, SplittableRandom random) {
        float[] latent = new float[CHANNELS * POSITIONS];
        for (int c = 0; c < CHANNELS; c++) {
            for (int p = 0; p < POSITIONS; p++) {
                latent[c * POSITIONS + p] = (float) (mean[c] + STD * random.nextGaussian());
            }
        }
        return latent;
    }
}
