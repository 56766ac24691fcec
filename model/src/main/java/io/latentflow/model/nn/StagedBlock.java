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

import java.util.ArrayList;
import java.util.List;

/**
 * A chain of named stages run in order (like DJL's SequentialBlock, but with readable parameter names), followed by
 * an optional element-wise {@link #finish} step.
 */
abstract class StagedBlock extends AbstractBlock {

    private final List<Block> stages = new ArrayList<>();
    private final List<String> stageNames = new ArrayList<>();
    private ActivationTrace trace;
    private String tracePrefix;

    StagedBlock(byte version) {
        super(version);
    }

    protected final <B extends Block> B stage(String name, B block) {
        stages.add(addChildBlock(name, block));
        stageNames.add(name);
        return block;
    }

    /** Records every stage's output (and the finished output) into {@code trace} under {@code prefix}; null stops. */
    public final void traceInto(ActivationTrace trace, String prefix) {
        this.trace = trace;
        this.tracePrefix = prefix;
    }

    /** Applied to the last stage's output; identity unless overridden. */
    protected NDArray finish(NDArray x) {
        return x;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList current = inputs;
        for (int i = 0; i < stages.size(); i++) {
            current = stages.get(i).forward(ps, current, training);
            if (trace != null) {
                trace.record(tracePrefix + stageNames.get(i), current.singletonOrThrow());
            }
        }
        NDArray finished = finish(current.singletonOrThrow());
        if (trace != null && finished != current.singletonOrThrow()) {
            trace.record(tracePrefix + "finish", finished);
        }
        return new NDList(finished);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] current = inputShapes;
        for (Block stage : stages) {
            current = stage.getOutputShapes(current);
        }
        return current;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] current = inputShapes;
        for (Block stage : stages) {
            stage.initialize(manager, dataType, current);
            current = stage.getOutputShapes(current);
        }
    }
}
