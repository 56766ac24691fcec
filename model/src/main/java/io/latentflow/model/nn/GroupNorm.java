package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * Group normalisation over NCHW inputs (DJL ships none): each sample's channels are split into groups, each group is
 * standardised over its channels and pixels, then a per-channel scale and shift is applied.
 */
public final class GroupNorm extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float EPSILON = 1e-6f;

    private final int groups;
    private final Parameter gamma;
    private final Parameter beta;

    public GroupNorm(int groups) {
        super(VERSION);
        if (groups < 1) {
            throw new IllegalArgumentException("GroupNorm needs at least one group, got " + groups);
        }
        this.groups = groups;
        this.gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optInitializer(Initializer.ONES).build());
        this.beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optInitializer(Initializer.ZEROS).build());
    }

    public int groups() {
        return groups;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        long channels = inputShapes[0].get(1);
        if (channels % groups != 0) {
            throw new IllegalArgumentException(
                    "GroupNorm with " + groups + " groups cannot normalise " + channels + " channels");
        }
        // (C, 1, 1) broadcasts over NCHW without a reshape of the parameter on every call.
        gamma.setShape(new Shape(channels, 1, 1));
        beta.setShape(new Shape(channels, 1, 1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray scale = parameterStore.getValue(gamma, x.getDevice(), training);
        NDArray shift = parameterStore.getValue(beta, x.getDevice(), training);
        return new NDList(standardise(x, groups).mul(scale).add(shift));
    }

    /** Each sample's {@code groups} channel groups standardised over their channels and pixels (eps 1e-6). */
    public static NDArray standardise(NDArray x, int groups) {
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        // Layer norm over each (sample, group) row is one fused kernel, about twice as fast on CPU as computing mean
        // and variance with separate ops; its own affine step gets constant ones and zeros (no parameters) because
        // group norm's scale and shift are per channel, not per position. They are tiny next to the activations.
        Shape row = new Shape(grouped.getShape().get(2));
        NDManager manager = x.getManager();
        NDArray normalised = grouped.getNDArrayInternal()
                .layerNorm(grouped, row, manager.ones(row), manager.zeros(row), EPSILON)
                .singletonOrThrow().reshape(shape);
        return normalised;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
