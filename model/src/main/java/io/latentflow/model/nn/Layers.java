package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.convolutional.Conv2d;
import io.latentflow.model.Normalization;

/** Small factories for the layers every block here is made of. */
public final class Layers {

    private Layers() {
    }

    /** 3x3 convolution with padding 1: keeps the spatial size at stride 1, halves it at stride 2. */
    public static Conv2d conv3x3(int filters, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .optStride(new Shape(stride, stride))
                .setFilters(filters)
                .build();
    }

    public static Conv2d conv1x1(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(filters).build();
    }

    public static Block norm(Normalization normalization) {
        return normalization.kind() == Normalization.Kind.GROUP
                ? new GroupNorm(normalization.groups())
                : Blocks.identityBlock();
    }

    /** SiLU, x * sigmoid(x): the same function as {@code Activation.swish(x, 1f)} with one multiplication less. */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }
}
