package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The outputs of each stage of a forward pass, in the order they were computed, so that a non-finite loss can be traced
 * to the first block whose output was not finite. Recording costs a reference per stage: the arrays are alive anyway
 * until the step's scope closes (autograd keeps them for the backward pass).
 */
public final class ActivationTrace {

    private final List<String> names = new ArrayList<>();
    private final List<NDArray> outputs = new ArrayList<>();

    void record(String name, NDArray output) {
        names.add(name);
        outputs.add(output);
    }

    /** Forgets the last pass; call at the start of each step. */
    public void clear() {
        names.clear();
        outputs.clear();
    }

    public int size() {
        return names.size();
    }

    public String name(int i) {
        return names.get(i);
    }

    public NDArray output(int i) {
        return outputs.get(i);
    }
}
