package io.latentflow.model.loss;

import ai.djl.ndarray.NDArray;

import java.util.LinkedHashMap;
import java.util.Map;
import io.latentflow.model.nn.Scalars;

/**
 * The loss of one training step, or of one micro-batch's share of it: the weighted total to differentiate, each named
 * unweighted term for reporting, and the reconstruction (for a discriminator to judge). A micro-batch holding a
 * fraction {@code share} of the step's images reports and differentiates {@code share} times its terms (every term is
 * a mean over images), so that the parts' values and gradients add up to the whole batch's.
 */
public final class LossTerms {

    private final Map<String, NDArray> terms = new LinkedHashMap<>();
    private NDArray total;
    private final NDArray reconstruction;
    private final NDArray target;
    private final double share;

    LossTerms(NDArray reconstruction, NDArray target, double share) {
        this.reconstruction = reconstruction;
        this.target = target;
        this.share = share;
    }

    /**
     * Adds {@code weight * value} to the total and reports {@code value} under {@code name}, both times this part's
     * share of the batch; {@code value} is a mean over this part's images.
     */
    public void add(String name, NDArray value, double weight) {
        addShare(name, share == 1 ? value : Scalars.times(value, share), weight);
    }

    /** Like {@link #add} for a value that is already this part's share of the whole batch's term. */
    void addShare(String name, NDArray value, double weight) {
        terms.put(name, value);
        NDArray weighted = Scalars.times(value, weight);
        total = total == null ? weighted : total.add(weighted);
    }

    public NDArray total() {
        return total;
    }

    public NDArray reconstruction() {
        return reconstruction;
    }

    /** The images the reconstruction is compared with (the input, rolled where the latents were). */
    public NDArray target() {
        return target;
    }

    /** Reads every term and the total back to Java (one sync); {@code "loss"} is the total. */
    public Map<String, Float> values() {
        Map<String, Float> values = new LinkedHashMap<>();
        values.put("loss", total.getFloat());
        terms.forEach((name, value) -> values.put(name, value.getFloat()));
        return values;
    }
}
