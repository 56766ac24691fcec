package io.latentflow.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The per-channel mean and population variance of a whole batch's latents, gathered part by part, so that the
 * variance term ({@link Losses#varianceLoss}), which is a function of batch statistics and no mean over images, gives
 * a step split into micro-batches the same value and the same gradients as the unsplit step.
 *
 * <p>With {@code v_c} and {@code m_c} the batch's variance and mean of channel c over its {@code n} values, the term
 * is {@code L = mean_c (v_c - t)^2} and {@code dL/dx = (2/C)(v_c - t) * 2(x - m_c)/n} for each latent value x of
 * channel c (the path through {@code m_c} adds nothing: the deviations sum to 0). A part's share is therefore
 * {@code sum over its values of (2/C)(v_c - t)(x - m_c)^2/n} with v and m held constant: its gradient is exactly the
 * whole term's with respect to the part's latents. Its reported value is its share of L.
 */
public final class LatentVariance {

    private final double[] mean;
    private final double[] variance;
    private final long valuesPerChannel;

    private LatentVariance(double[] mean, double[] variance, long valuesPerChannel) {
        this.mean = mean;
        this.variance = variance;
        this.valuesPerChannel = valuesPerChannel;
    }

    /** Population variance of each channel over the whole batch. */
    public double[] variance() {
        return variance.clone();
    }

    /** The variance term of the whole batch. */
    public double loss(double target) {
        double sum = 0;
        for (double v : variance) {
            sum += (v - target) * (v - target);
        }
        return sum / variance.length;
    }

    /**
     * This part's share of the variance term: value {@code share * loss(target)}, gradient with respect to
     * {@code latents} (the part's NCHW latents, with grad) that of the whole batch's term.
     */
    public NDArray lossShare(NDArray latents, double target, double share) {
        int channels = mean.length;
        if (latents.getShape().get(1) != channels) {
            throw new IllegalArgumentException("latents have " + latents.getShape().get(1) + " channels, the batch's"
                    + " statistics " + channels);
        }
        float[] coefficient = new float[channels];
        float[] centre = new float[channels];
        for (int c = 0; c < channels; c++) {
            coefficient[c] = (float) (2.0 / channels * (variance[c] - target) / valuesPerChannel);
            centre[c] = (float) mean[c];
        }
        NDManager manager = latents.getManager();
        Shape perChannel = new Shape(1, channels, 1, 1);
        NDArray surrogate = latents.sub(manager.create(centre, perChannel)).square()
                .mul(manager.create(coefficient, perChannel)).sum();
        // the value of the share, with the surrogate's gradient: surrogate - surrogate is 0 in any rounding
        return manager.create((float) (share * loss(target))).add(surrogate.sub(surrogate.stopGradient()));
    }

    /** Adds up parts' latents; sums in double, so the order of the parts changes nothing that float32 shows. */
    public static final class Accumulator {

        private double[] sum;
        private double[] sumOfSquares;
        private long valuesPerChannel;

        /** Adds a part's NCHW latents. */
        public void add(NDArray latents) {
            Shape shape = latents.getShape();
            int channels = Math.toIntExact(shape.get(1));
            int plane = Math.toIntExact(shape.get(2) * shape.get(3));
            if (sum == null) {
                sum = new double[channels];
                sumOfSquares = new double[channels];
            } else if (sum.length != channels) {
                throw new IllegalArgumentException("latents of " + channels + " channels after " + sum.length);
            }
            float[] values = latents.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                int c = (i / plane) % channels;
                sum[c] += values[i];
                sumOfSquares[c] += (double) values[i] * values[i];
            }
            valuesPerChannel += values.length / channels;
        }

        public LatentVariance result() {
            if (sum == null) {
                throw new IllegalStateException("no latents were added");
            }
            double[] mean = new double[sum.length];
            double[] variance = new double[sum.length];
            for (int c = 0; c < sum.length; c++) {
                mean[c] = sum[c] / valuesPerChannel;
                variance[c] = sumOfSquares[c] / valuesPerChannel - mean[c] * mean[c];
            }
            return new LatentVariance(mean, variance, valuesPerChannel);
        }
    }
}
