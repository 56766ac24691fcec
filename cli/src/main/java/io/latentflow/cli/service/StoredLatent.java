package io.latentflow.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentflow.model.ServingModel;
import io.latentflow.shards.LatentNpy;
import io.latentflow.shards.StoredLatents;

/**
 * One latent as it was stored (a shard member with its JSON, or a bare .npy), and what it takes to give it to a
 * model's decoder: the decoder takes what the model serves, {@code (mean - shift) * scale} with the model's factors.
 *
 * @param source        where it came from, for messages (the shard and member, or the .npy)
 * @param key           the name of its PNG: the shard member's key, or the .npy's file name
 * @param latentSpace   from its JSON; "" when unknown (a bare .npy, or a writer before the field)
 * @param scalingFactor from its JSON, else the model's
 * @param shiftFactor   from its JSON, else the model's
 */
record StoredLatent(String source, String key, LatentNpy latent, StoredLatents latents, String latentSpace,
                    double scalingFactor, double shiftFactor, String modelVersion) {

    /** A shard member: its factors, latent space and kind from its JSON. */
    static StoredLatent member(String source, String key, LatentNpy latent, JsonNode json) {
        return new StoredLatent(source, key, latent, StoredLatents.fromJsonName(json.path("latents").asText("")),
                json.path("latentSpace").asText(""), json.path("scalingFactor").asDouble(1.0),
                json.path("shiftFactor").asDouble(0.0), json.path("modelVersion").asText(""));
    }

    /** A bare .npy: the model's own served latents, by assumption. */
    static StoredLatent bare(String source, String key, LatentNpy latent, ServingModel model) {
        return new StoredLatent(source, key, latent, StoredLatents.MEAN, "", model.scalingFactor(),
                model.shiftFactor(), "");
    }

    /** Why {@code model} cannot decode this latent, or null when it can. */
    String mismatch(ServingModel model) {
        int channels = model.config().latentChannels();
        int expected = latents.storedChannels(channels);
        if (latent.channels() != expected) {
            return source + " has " + latent.channels() + " channels, model " + model.version() + " decodes "
                    + (latents == StoredLatents.MOMENTS ? "moments of " + expected + " (2 x " + channels + ")"
                    : String.valueOf(expected)) + ": decode it with the model that wrote it"
                    + (modelVersion.isEmpty() ? "" : " (" + modelVersion + ")");
        }
        if (!latentSpace.isEmpty() && !latentSpace.equals(model.latentSpace())) {
            return source + " is in latent space " + latentSpace + ", model " + model.version() + " decodes "
                    + model.latentSpace() + ": its latents mean something else; decode it with a version of latent"
                    + " space " + latentSpace + (modelVersion.isEmpty() ? "" : " (" + modelVersion + " wrote it)");
        }
        return null;
    }

    /** The latent as the model's decoder takes it: the mean, shifted and scaled with the model's factors. */
    float[] servedBy(ServingModel model) {
        int meanValues = model.config().latentChannels() * latent.height() * latent.width();
        float[] served = new float[meanValues];
        double modelScale = model.scalingFactor();
        double modelShift = model.shiftFactor();
        float[] stored = latent.values();
        if (latents == StoredLatents.MOMENTS) {
            // the first half is the unscaled posterior mean
            for (int i = 0; i < meanValues; i++) {
                served[i] = (float) ((stored[i] - modelShift) * modelScale);
            }
        } else if (scalingFactor == modelScale && shiftFactor == modelShift) {
            System.arraycopy(stored, 0, served, 0, meanValues);
        } else {
            for (int i = 0; i < meanValues; i++) {
                served[i] = (float) ((stored[i] / scalingFactor + shiftFactor - modelShift) * modelScale);
            }
        }
        return served;
    }
}
