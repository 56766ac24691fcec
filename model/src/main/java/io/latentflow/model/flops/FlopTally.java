package io.latentflow.model.flops;

/**
 * Walks a network layer by layer for one image, following its channels and spatial side, and adds up what its
 * convolutions, linear layers and attention products cost: 2 FLOPs per multiply-add. Biases, norms, activations,
 * softmax, residual adds and resampling are element-wise and not counted: a few per element against the hundreds of
 * multiply-adds per element of a 3x3 convolution over tens of channels.
 */
final class FlopTally {

    private long flops;
    private int channels;
    private int side;

    FlopTally(int channels, int side) {
        this.channels = channels;
        this.side = side;
    }

    /** A square convolution with "same" padding at stride 1, or halving the side at stride 2. */
    void conv(int outChannels, int kernel, int stride) {
        side /= stride;
        flops += 2L * kernel * kernel * channels * outChannels * side * side;
        channels = outChannels;
    }

    /** Two 3x3 convolutions, and a 1x1 projection of the input when the width changes. */
    void resnet(int outChannels) {
        int in = channels;
        conv(outChannels, 3, 1);
        conv(outChannels, 3, 1);
        if (in != outChannels) {
            flops += 2L * in * outChannels * side * side;
        }
    }

    /** Nearest-neighbour doubling (free) and a 3x3 convolution at the doubled side. */
    void upsample() {
        side *= 2;
        conv(channels, 3, 1);
    }

    /**
     * Single-head self-attention over the side x side tokens of C channels: the q, k, v and output projections (4
     * linear layers C -> C per token) and the two products QK^T and softmax(QK^T)V (tokens^2 x C each).
     */
    void attention() {
        long tokens = (long) side * side;
        flops += 4 * 2L * tokens * channels * channels + 2 * 2L * tokens * tokens * channels;
    }

    int channels() {
        return channels;
    }

    long flops() {
        return flops;
    }
}
