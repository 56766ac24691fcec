package io.latentflow.model.nn;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.Normalization;

import java.util.List;

/**
 * Latents (NCHW, {@code c} channels, from the encoder or from anywhere else, e.g. a diffusion model) to images with
 * 3 channels, {@code f} times larger. The raw output is unclamped; serving clamps it to [-1, 1].
 */
public final class Decoder extends StagedBlock {

    private static final byte VERSION = 1;

    private final AutoencoderConfig config;

    public Decoder(AutoencoderConfig config) {
        super(VERSION);
        this.config = config;
        List<Integer> widths = config.channelWidths();
        Normalization norm = config.normalization();
        int channels = widths.get(widths.size() - 1);
        stage("conv_in", Layers.conv3x3(channels, 1));
        stage("mid_res", new ResnetBlock(channels, channels, norm));
        for (int level = config.levels() - 1; level >= 0; level--) {
            int width = widths.get(level);
            for (int block = 0; block < config.resBlocksPerLevel(); block++) {
                stage("up" + level + "_res" + block, new ResnetBlock(channels, width, norm));
                channels = width;
            }
            if (level > 0) {
                stage("up" + level + "_upsample", new Upsample(channels));
            }
        }
        stage("out", new OutputHead(3, norm));
    }

    public AutoencoderConfig config() {
        return config;
    }
}
