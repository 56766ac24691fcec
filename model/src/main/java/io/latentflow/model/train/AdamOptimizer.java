package io.latentflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.engine.PtNDArray;

/**
 * Adam over a fixed set of parameters, with its moments held here (not in DJL's optimizer, which creates them lazily
 * where an NDScope would close them) so that they can be snapshotted, restored and checkpointed. The update itself is
 * DJL's fused native Adam kernel, one call per parameter, which also zeroes the gradient.
 */
final class AdamOptimizer {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final NamedParameters parameters;
    private final NDArray[] means;
    private final NDArray[] variances;
    private long updates;

    /** Call outside any NDScope: the moments must outlive the step that creates them. */
    AdamOptimizer(NamedParameters parameters) {
        this.parameters = parameters;
        this.means = new NDArray[parameters.size()];
        this.variances = new NDArray[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            means[i] = parameters.array(i).zerosLike();
            variances[i] = parameters.array(i).zerosLike();
        }
    }

    /** One update from the gradients left by the last backward pass; grad mode must be off. */
    void step(double learningRate) {
        updates++;
        double biasCorrection = learningRate * Math.sqrt(1 - Math.pow(BETA2, updates))
                / (1 - Math.pow(BETA1, updates));
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.array(i);
            if (!weight.hasGradient()) {
                continue;
            }
            NDArray gradient = weight.getGradient();
            weight.getNDArrayInternal().adamUpdate(new NDList(weight, gradient, means[i], variances[i]),
                    new NDList(weight), (float) learningRate, (float) biasCorrection, 0f, 1f, -1f, BETA1, BETA2,
                    EPSILON, true, false);
        }
    }

    /** Discards the gradients of a step that is not applied. */
    void zeroGradients() {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray weight = parameters.array(i);
            if (weight.hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) weight);
            }
        }
    }

    long updates() {
        return updates;
    }

    State state() {
        return new State(updates, copy(means), copy(variances));
    }

    void restore(State state) {
        updates = state.updates();
        for (int i = 0; i < parameters.size(); i++) {
            means[i].set(state.means()[i]);
            variances[i].set(state.variances()[i]);
        }
    }

    private static float[][] copy(NDArray[] arrays) {
        float[][] values = new float[arrays.length][];
        for (int i = 0; i < arrays.length; i++) {
            values[i] = arrays[i].toFloatArray();
        }
        return values;
    }

    /** Adam's moments and update count, as plain arrays in parameter order. */
    record State(long updates, float[][] means, float[][] variances) {
    }
}
