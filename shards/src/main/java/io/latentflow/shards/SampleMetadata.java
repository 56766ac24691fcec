package io.latentflow.shards;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.schemas.LatentSummary;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a shard says about one sample, next to its latent ({@code <key>.json}): where the image came from, which
 * model encoded it, and a summary of the latent.
 *
 * @param shape          the latent's dimensions, C, H, W
 * @param eventTime      when the image was produced, epoch milliseconds
 * @param processingTime when it was encoded, epoch milliseconds
 * @param latentSpace    what the latent means (the encoder's weights, preprocessing, scale and shift); "" if unknown
 * @param scalingFactor  the stored latent is {@code (mean - shiftFactor) * scalingFactor}: 1 and 0 for latentflow's
 *                       own models, the VAE's factors for an imported one, so a reader can undo them
 * @param latents        what the .npy holds: the scaled mean, or the unscaled moments (mean and log-variance)
 * @param label          the image's class, null for none
 */
public record SampleMetadata(String imageId, String key, String source, String modelVersion, List<Integer> shape,
                             long eventTime, long processingTime, LatentSummary summary, Map<String, String> attributes,
                             String latentSpace, double scalingFactor, double shiftFactor, StoredLatents latents,
                             String label) {

    /** A sample of latentflow's own models' unnamed latent space (scale 1, shift 0), holding the mean, unlabelled. */
    public static SampleMetadata of(String imageId, String key, String source, String modelVersion,
                                    List<Integer> shape, long eventTime, long processingTime, LatentSummary summary,
                                    Map<String, String> attributes) {
        return new SampleMetadata(imageId, key, source, modelVersion, shape, eventTime, processingTime, summary,
                attributes, "", 1.0, 0.0, StoredLatents.MEAN, null);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public SampleMetadata {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(summary, "summary");
        source = source == null ? "" : source;
        latentSpace = latentSpace == null ? "" : latentSpace;
        latents = latents == null ? StoredLatents.MEAN : latents;
        shape = List.copyOf(shape);
        // sorted, so that the same sample always gives the same bytes
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(attributes));
    }

    /**
     * UTF-8 JSON: imageId, key, source, modelVersion, shape, dtype ("float16"), eventTime, processingTime,
     * summary {mean, std, min, max, fractionOutsideUnit}, attributes, latentSpace, scalingFactor, shiftFactor, latents
     * ("mean" or "moments"), and label when there is one.
     */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("imageId", imageId);
        root.put("key", key);
        root.put("source", source);
        root.put("modelVersion", modelVersion);
        ArrayNode dimensions = root.putArray("shape");
        shape.forEach(dimensions::add);
        root.put("dtype", Npy.FLOAT16_DTYPE);
        root.put("eventTime", eventTime);
        root.put("processingTime", processingTime);
        ObjectNode stats = root.putObject("summary");
        stats.put("mean", summary.getMean());
        stats.put("std", summary.getStd());
        stats.put("min", summary.getMin());
        stats.put("max", summary.getMax());
        stats.put("fractionOutsideUnit", summary.getFractionOutsideUnit());
        ObjectNode attributeNode = root.putObject("attributes");
        attributes.forEach(attributeNode::put);
        root.put("latentSpace", latentSpace);
        root.put("scalingFactor", scalingFactor);
        root.put("shiftFactor", shiftFactor);
        root.put("latents", latents.jsonName());
        if (label != null) {
            root.put("label", label);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }
}
