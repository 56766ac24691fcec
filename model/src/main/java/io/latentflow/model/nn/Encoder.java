package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentKind;
import io.latentflow.model.Normalization;

import java.util.List;

/**
 * Images (NCHW, 3 channels, [-1, 1]) to the encoder output: {@code c} tanh-bounded channels for BOUNDED configs, or
 * {@code 2c} moments (mean, then log-variance) for KL configs. Height and width shrink by the downsampling factor.
 */
public final class Encoder extends StagedBlock {

    private static final byte VERSION = 1;

    private final AutoencoderConfig config;

    public Encoder(AutoencoderConfig config) {
        super(VERSION);
        this.config = config;
        List<Integer> widths = config.channelWidths();
        Normalization norm = config.normalization();
        int channels = widths.get(0);
        stage("conv_in", Layers.conv3x3(channels, 1));
        for (int level = 0; level < config.levels(); level++) {
            int width = widths.get(level);
            for (int block = 0; block < config.resBlocksPerLevel(); block++) {
                stage("down" + level + "_res" + block, new ResnetBlock(channels, width, norm));
                channels = width;
            }
            if (level < config.levels() - 1) {
                stage("down" + level + "_downsample", Layers.conv3x3(width, 2));
            }
        }
        stage("mid_res", new ResnetBlock(channels, channels, norm));
        stage("out", new OutputHead(config.encoderOutputChannels(), norm));
    }

    public AutoencoderConfig config() {
        return config;
    }

    @Override
    protected NDArray finish(NDArray x) {
        return config.latentKind() == LatentKind.BOUNDED ? x.tanh() : x;
    }

    /**
     * The latents serving hands out for an encoder output: the output itself when bounded, the mean half of the
     * moments for KL (deterministic, as Stable Diffusion pipelines do when encoding for training).
     */
    public NDArray servingLatents(NDArray encoderOutput) {
        if (config.latentKind() == LatentKind.KL) {
            return encoderOutput.get(new NDIndex(":, :{}", config.latentChannels()));
        }
        return encoderOutput;
    }
}
