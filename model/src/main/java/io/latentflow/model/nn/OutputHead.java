package io.latentflow.model.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.latentflow.model.Normalization;

/** The last layers of the encoder and the decoder: norm, SiLU, 3x3 convolution to the output channels. */
public final class OutputHead extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block norm;
    private final Block conv;

    public OutputHead(int outChannels, Normalization normalization) {
        super(VERSION);
        this.norm = addChildBlock("norm", Layers.norm(normalization));
        this.conv = addChildBlock("conv", Layers.conv3x3(outChannels, 1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList normalised = norm.forward(ps, inputs, training);
        return conv.forward(ps, new NDList(Layers.silu(normalised.singletonOrThrow())), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, inputShapes);
        conv.initialize(manager, dataType, inputShapes);
    }
}
