package io.latentflow.model.flops;

import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.diffusers.DiffusersVaeConfig;

import java.util.List;

/**
 * What one image costs the network at a given side, counted from its architecture: the multiply-adds of every
 * convolution, linear layer and attention product, 2 FLOPs each (see {@link FlopTally} for what is left out).
 *
 * @param side    image side in pixels (the decoder's output side; its input is {@code side / f})
 * @param encoder FLOPs of the encoder for one image, to its raw output (before tanh or the moments' split)
 * @param decoder FLOPs of the decoder for one image's latents
 */
public record NetworkFlops(int side, long encoder, long decoder) {

    /**
     * One training step per image, counted as 3x the forward of encoder and decoder: the backward pass computes,
     * per layer, the gradient of the input and of the weights, each a product the size of the forward one. An
     * approximation: the first convolution needs no input gradient, the losses (SSIM's blur included) and a
     * discriminator, where a recipe has one, are not counted.
     */
    public long trainStep() {
        return 3 * (encoder + decoder);
    }

    /** latentflow's own autoencoder ({@code nn.Encoder} and {@code nn.Decoder}). */
    public static NetworkFlops of(AutoencoderConfig config, int side) {
        return count(new Layout(config.downsamplingFactor(), config.channelWidths(), config.resBlocksPerLevel(),
                config.resBlocksPerLevel(), 1, false, config.encoderOutputChannels(), config.latentChannels(), false,
                false), side);
    }

    /** diffusers' AutoencoderKL as {@code DiffusersAutoencoderKl} computes it (encoder to the posterior's moments). */
    public static NetworkFlops of(DiffusersVaeConfig config, int side) {
        return count(new Layout(config.downsamplingFactor(), config.blockOutChannels(), config.layersPerBlock(),
                config.layersPerBlock() + 1, 2, config.midBlockAddAttention(), 2 * config.latentChannels(),
                config.latentChannels(), config.useQuantConv(), config.usePostQuantConv()), side);
    }

    public double encoderGflops() {
        return encoder / 1e9;
    }

    public double decoderGflops() {
        return decoder / 1e9;
    }

    public double trainStepGflops() {
        return trainStep() / 1e9;
    }

    /**
     * Where the two families differ: diffusers' decoder has one resnet more per level than its encoder, its mid block
     * two resnets around an optional attention, and optional 1x1 convolutions after the encoder and before the
     * decoder. Downsampling, in both, is a stride-2 3x3 convolution after every level but the last.
     */
    private record Layout(int f, List<Integer> widths, int encoderResnets, int decoderResnets, int midResnets,
                          boolean midAttention, int encoderOutputChannels, int latentChannels, boolean quantConv,
                          boolean postQuantConv) {
    }

    private static NetworkFlops count(Layout layout, int side) {
        if (side < layout.f() || side % layout.f() != 0) {
            throw new IllegalArgumentException("image side " + side + " is not a positive multiple of the"
                    + " downsampling factor " + layout.f() + "; use e.g. 64, 128, 256");
        }
        List<Integer> widths = layout.widths();
        int last = widths.size() - 1;

        FlopTally encoder = new FlopTally(3, side);
        encoder.conv(widths.get(0), 3, 1);
        for (int level = 0; level <= last; level++) {
            for (int block = 0; block < layout.encoderResnets(); block++) {
                encoder.resnet(widths.get(level));
            }
            if (level < last) {
                encoder.conv(widths.get(level), 3, 2);
            }
        }
        mid(encoder, layout);
        encoder.conv(layout.encoderOutputChannels(), 3, 1);
        if (layout.quantConv()) {
            encoder.conv(layout.encoderOutputChannels(), 1, 1);
        }

        FlopTally decoder = new FlopTally(layout.latentChannels(), side / layout.f());
        if (layout.postQuantConv()) {
            decoder.conv(layout.latentChannels(), 1, 1);
        }
        decoder.conv(widths.get(last), 3, 1);
        mid(decoder, layout);
        for (int level = last; level >= 0; level--) {
            for (int block = 0; block < layout.decoderResnets(); block++) {
                decoder.resnet(widths.get(level));
            }
            if (level > 0) {
                decoder.upsample();
            }
        }
        decoder.conv(3, 3, 1);
        return new NetworkFlops(side, encoder.flops(), decoder.flops());
    }

    private static void mid(FlopTally tally, Layout layout) {
        tally.resnet(tally.channels());
        if (layout.midAttention()) {
            tally.attention();
        }
        for (int block = 1; block < layout.midResnets(); block++) {
            tally.resnet(tally.channels());
        }
    }
}
