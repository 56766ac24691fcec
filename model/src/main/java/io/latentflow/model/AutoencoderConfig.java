package io.latentflow.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one object that drives the autoencoder's architecture; written as {@code config.json} in every model directory.
 * Training hyper-parameters (losses, perturbations, discriminator) live in a separate recipe config, not here.
 *
 * @param downsamplingFactor f: 8 or 16, the ratio of image side to latent side; {@code log2(f)} downsampling steps
 * @param latentChannels     c: 4, 8 or 16 latent channels
 * @param channelWidths      feature channels per resolution level, highest resolution first; {@code log2(f) + 1}
 *                           entries (the encoder downsamples after every level but the last)
 * @param resBlocksPerLevel  residual blocks per level, in the encoder and in the decoder
 * @param normalization      normalisation inside the residual blocks
 * @param latentKind         BOUNDED (tanh, c channels) or KL (mean and log-variance, 2c channels)
 */
public record AutoencoderConfig(
        int downsamplingFactor,
        int latentChannels,
        List<Integer> channelWidths,
        int resBlocksPerLevel,
        Normalization normalization,
        LatentKind latentKind) {

    /** In an imported VAE's config.json: where the checkpoint came from (e.g. "diffusers AutoencoderKL"). */
    public static final String IMPORTED_FROM = "importedFrom";
    /** In an imported VAE's config.json: its network described as this record. */
    public static final String IMPORTED_ARCHITECTURE = "architecture";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<Integer> SMALL_WIDTHS = List.of(16, 32, 64, 64);
    private static final int DEFAULT_GROUPS = 8;

    public AutoencoderConfig {
        if (downsamplingFactor != 8 && downsamplingFactor != 16) {
            throw new IllegalArgumentException(
                    "downsamplingFactor is " + downsamplingFactor + ": supported values are 8 and 16");
        }
        if (latentChannels != 4 && latentChannels != 8 && latentChannels != 16) {
            throw new IllegalArgumentException(
                    "latentChannels is " + latentChannels + ": supported values are 4, 8 and 16");
        }
        int levels = Integer.numberOfTrailingZeros(downsamplingFactor) + 1;
        if (channelWidths == null || channelWidths.size() != levels) {
            throw new IllegalArgumentException("channelWidths is " + channelWidths + ": downsamplingFactor "
                    + downsamplingFactor + " needs exactly " + levels + " widths (one per resolution level)");
        }
        channelWidths = List.copyOf(channelWidths);
        if (resBlocksPerLevel < 1 || resBlocksPerLevel > 8) {
            throw new IllegalArgumentException(
                    "resBlocksPerLevel is " + resBlocksPerLevel + ": use 1 to 8 residual blocks per level");
        }
        if (normalization == null) {
            throw new IllegalArgumentException("normalization is missing: use {\"kind\":\"GROUP\",\"groups\":8}"
                    + " or {\"kind\":\"NONE\"}");
        }
        for (int width : channelWidths) {
            if (width < 1) {
                throw new IllegalArgumentException("channelWidths " + channelWidths + " contains " + width
                        + ": every width must be positive");
            }
            if (normalization.kind() == Normalization.Kind.GROUP && width % normalization.groups() != 0) {
                throw new IllegalArgumentException("channelWidths " + channelWidths + " contains " + width
                        + ", not divisible by normalization.groups " + normalization.groups()
                        + ": pick widths that are multiples of the group count");
            }
        }
        if (latentKind == null) {
            throw new IllegalArgumentException("latentKind is missing: use BOUNDED or KL");
        }
    }

    /** Small default architecture for a given latent kind, f and c: widths 16,32,64,64(,64), 1 block, 8 groups. */
    public static AutoencoderConfig of(LatentKind kind, int downsamplingFactor, int latentChannels) {
        List<Integer> widths = new ArrayList<>(SMALL_WIDTHS);
        int levels = Integer.numberOfTrailingZeros(Math.max(downsamplingFactor, 1)) + 1;
        while (widths.size() < levels) {
            widths.add(SMALL_WIDTHS.get(SMALL_WIDTHS.size() - 1));
        }
        while (widths.size() > levels && widths.size() > 1) {
            widths.remove(widths.size() - 1);
        }
        return new AutoencoderConfig(downsamplingFactor, latentChannels, widths, 1,
                Normalization.group(DEFAULT_GROUPS), kind);
    }

    /** The project's default: tanh-bounded latents, f8, 8 channels. */
    public static AutoencoderConfig boundedF8C8() {
        return of(LatentKind.BOUNDED, 8, 8);
    }

    public static AutoencoderConfig boundedF8C4() {
        return of(LatentKind.BOUNDED, 8, 4);
    }

    /** The Stable Diffusion style baseline: f8, 4 channels, mean/log-variance head. */
    public static AutoencoderConfig klVaeF8C4() {
        return of(LatentKind.KL, 8, 4);
    }

    /** Number of resolution levels, {@code log2(f) + 1}. */
    public int levels() {
        return channelWidths.size();
    }

    public int encoderOutputChannels() {
        return latentKind.encoderOutputChannels(latentChannels);
    }

    /** Short human name, e.g. {@code bounded-f8c8} or {@code kl-f8c4}. */
    public String shortName() {
        return latentKind.name().toLowerCase() + "-f" + downsamplingFactor + "c" + latentChannels;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + this, e);
        }
    }

    /**
     * Reads a config, or the architecture an imported VAE's config describes itself as (field
     * {@value #IMPORTED_ARCHITECTURE}, beside {@value #IMPORTED_FROM}): enough for everything that only needs the
     * network's shape (f, c, widths).
     */
    public static AutoencoderConfig fromJson(String json) {
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree != null && tree.has(IMPORTED_FROM) && tree.has(IMPORTED_ARCHITECTURE)) {
                tree = tree.get(IMPORTED_ARCHITECTURE);
            }
            return JSON.treeToValue(tree, AutoencoderConfig.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException("invalid autoencoder config: " + cause.getMessage(), e);
        }
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    public static AutoencoderConfig read(Path file) throws IOException {
        try {
            return fromJson(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
