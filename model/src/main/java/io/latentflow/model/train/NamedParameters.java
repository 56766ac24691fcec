package io.latentflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The parameters of some blocks in a fixed order, each with a name unique across the blocks. */
final class NamedParameters {

    private final List<String> names = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();

    /** @param blocks pairs of (prefix, block), e.g. ("encoder", encoder) */
    @SafeVarargs
    static NamedParameters of(Pair<String, Block>... blocks) {
        NamedParameters named = new NamedParameters();
        for (Pair<String, Block> block : blocks) {
            for (Pair<String, Parameter> parameter : block.getValue().getParameters()) {
                named.names.add(block.getKey() + "/" + parameter.getKey());
                named.parameters.add(parameter.getValue());
            }
        }
        return named;
    }

    int size() {
        return parameters.size();
    }

    String name(int i) {
        return names.get(i);
    }

    NDArray array(int i) {
        return parameters.get(i).getArray();
    }

    long count() {
        long total = 0;
        for (Parameter parameter : parameters) {
            total += parameter.getArray().size();
        }
        return total;
    }

    /** Copies of every array's values (for snapshots and checkpoints). */
    float[][] values() {
        float[][] values = new float[parameters.size()][];
        for (int i = 0; i < parameters.size(); i++) {
            values[i] = array(i).toFloatArray();
        }
        return values;
    }

    /** Overwrites every array with {@code values} (grad mode must be off). */
    void setValues(float[][] values) {
        if (values.length != parameters.size()) {
            throw new IllegalArgumentException(values.length + " arrays for " + parameters.size() + " parameters");
        }
        for (int i = 0; i < parameters.size(); i++) {
            array(i).set(values[i]);
        }
    }

    /** True when every value is finite: one reduction per parameter. */
    boolean allFinite() {
        for (int i = 0; i < parameters.size(); i++) {
            try (NDArray sum = array(i).sum()) {
                if (!Float.isFinite(sum.getFloat())) {
                    return false;
                }
            }
        }
        return true;
    }

    static void write(DataOutputStream out, List<String> names, float[][] values) throws IOException {
        out.writeInt(values.length);
        for (int i = 0; i < values.length; i++) {
            out.writeUTF(names.get(i));
            out.writeInt(values[i].length);
            for (float v : values[i]) {
                out.writeFloat(v);
            }
        }
    }

    void write(DataOutputStream out, float[][] values) throws IOException {
        write(out, names, values);
    }

    /** Reads arrays written by {@link #write} for these parameters, checking names and sizes. */
    float[][] read(DataInputStream in, String what) throws IOException {
        int count = in.readInt();
        if (count != parameters.size()) {
            throw new IOException(what + " holds " + count + " arrays, this model has " + parameters.size()
                    + " parameters: the checkpoint belongs to another architecture");
        }
        float[][] values = new float[count][];
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            int length = in.readInt();
            if (!name.equals(names.get(i)) || length != array(i).size()) {
                throw new IOException(what + " has " + name + " with " + length + " values where this model has "
                        + names.get(i) + " with " + array(i).size() + ": the checkpoint belongs to another"
                        + " architecture");
            }
            values[i] = new float[length];
            for (int j = 0; j < length; j++) {
                values[i][j] = in.readFloat();
            }
        }
        return values;
    }

    /**
     * Whether every gradient left by the last backward pass is finite: one reduction per parameter and a single read, so
     * that a step which would write NaN or 1e30 into the weights is caught before Adam applies it.
     */
    boolean gradientsFinite() {
        List<NDArray> sums = new ArrayList<>();
        for (Parameter parameter : parameters) {
            NDArray array = parameter.getArray();
            if (array.hasGradient()) {
                sums.add(array.getGradient().abs().sum().reshape(1));
            }
        }
        return sums.isEmpty() || Float.isFinite(NDArrays.concat(new NDList(sums)).sum().getFloat());
    }
}
