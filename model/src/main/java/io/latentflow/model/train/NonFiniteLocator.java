package io.latentflow.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.latentflow.model.nn.ActivationTrace;

import java.util.Map;

/**
 * Names where a failed step's first non-finite value appeared, in the order the step computed things: the weights it
 * started from, the input batch, each traced block output of the forward pass, the loss terms, then the gradients. The
 * first place that is not finite is the cause to look at; everything after it merely inherited the NaN.
 */
final class NonFiniteLocator {

    private NonFiniteLocator() {
    }

    static String locate(NamedParameters weights, NDArray images, ActivationTrace trace, Map<String, Float> losses) {
        for (int i = 0; i < weights.size(); i++) {
            String found = describe(weights.array(i));
            if (found != null) {
                return "weight " + weights.name(i) + " " + found + " before the step (an earlier update broke it)";
            }
        }
        String input = describe(images);
        if (input != null) {
            return "the input batch " + input;
        }
        for (int i = 0; i < trace.size(); i++) {
            String found = describe(trace.output(i));
            if (found != null) {
                String previous = i == 0 ? "the input batch" : trace.name(i - 1);
                return "block " + trace.name(i) + ": its output " + found + " while its input (" + previous
                        + ") was finite";
            }
        }
        for (Map.Entry<String, Float> term : losses.entrySet()) {
            if (!Float.isFinite(term.getValue()) && !"loss".equals(term.getKey())) {
                return "loss term " + term.getKey() + " = " + term.getValue() + " while every block output was finite";
            }
        }
        if (!Float.isFinite(losses.getOrDefault("loss", 0f))) {
            return "the weighted total loss = " + losses.get("loss") + " while its terms were finite";
        }
        for (int i = 0; i < weights.size(); i++) {
            NDArray weight = weights.array(i);
            String found = weight.hasGradient() ? describe(weight.getGradient()) : null;
            if (found != null) {
                return "gradient of " + weights.name(i) + " " + found + " while the forward pass and the loss were finite";
            }
        }
        return "no non-finite value found in weights, input, block outputs, loss terms or gradients";
    }

    /** Null when every value is finite, else how many are NaN and infinite. */
    private static String describe(NDArray values) {
        long nan = count(values.isNaN());
        long infinite = count(values.isInfinite());
        if (nan == 0 && infinite == 0) {
            return null;
        }
        return "has " + nan + " NaN and " + infinite + " infinite of " + values.size() + " values";
    }

    private static long count(NDArray mask) {
        return mask.toType(DataType.INT64, false).sum().getLong();
    }
}
