package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Doubles height and width: nearest-neighbour upsampling then a 3x3 convolution. (Conv2dTranspose is not an option:
 * DJL's PyTorch engine does not implement it.)
 */
public final class Upsample extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final int NEAREST = 0;

    private final Block conv;

    public Upsample(int channels) {
        super(VERSION);
        this.conv = addChildBlock("conv", Layers.conv3x3(channels, 1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape shape = x.getShape();
        NDArray doubled = x.getNDArrayInternal()
                .interpolation(new long[] {shape.get(2) * 2, shape.get(3) * 2}, NEAREST, false);
        return conv.forward(ps, new NDList(doubled), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return conv.getOutputShapes(new Shape[] {doubled(in)});
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, doubled(inputShapes[0]));
    }

    private static Shape doubled(Shape in) {
        return new Shape(in.get(0), in.get(1), in.get(2) * 2, in.get(3) * 2);
    }
}
