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
import io.latentflow.model.Normalization;

/** LDM-style residual block: norm, SiLU, conv3x3, norm, SiLU, conv3x3, plus the input (1x1-projected if widths differ). */
public final class ResnetBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int outChannels;
    private final Block norm1;
    private final Block conv1;
    private final Block norm2;
    private final Block conv2;
    private final Block skip;

    public ResnetBlock(int inChannels, int outChannels, Normalization normalization) {
        super(VERSION);
        this.outChannels = outChannels;
        this.norm1 = addChildBlock("norm1", Layers.norm(normalization));
        this.conv1 = addChildBlock("conv1", Layers.conv3x3(outChannels, 1));
        this.norm2 = addChildBlock("norm2", Layers.norm(normalization));
        this.conv2 = addChildBlock("conv2", Layers.conv3x3(outChannels, 1));
        this.skip = inChannels == outChannels ? null : addChildBlock("skip", Layers.conv1x1(outChannels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray h = Layers.silu(norm1.forward(ps, new NDList(x), training).singletonOrThrow());
        h = conv1.forward(ps, new NDList(h), training).singletonOrThrow();
        h = Layers.silu(norm2.forward(ps, new NDList(h), training).singletonOrThrow());
        h = conv2.forward(ps, new NDList(h), training).singletonOrThrow();
        NDArray shortcut = skip == null ? x : skip.forward(ps, new NDList(x), training).singletonOrThrow();
        return new NDList(h.add(shortcut));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] hidden = getOutputShapes(inputShapes);
        norm1.initialize(manager, dataType, inputShapes);
        conv1.initialize(manager, dataType, inputShapes);
        norm2.initialize(manager, dataType, hidden);
        conv2.initialize(manager, dataType, hidden);
        if (skip != null) {
            skip.initialize(manager, dataType, inputShapes);
        }
    }
}
