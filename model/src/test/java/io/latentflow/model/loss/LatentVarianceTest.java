package io.latentflow.model.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.latentflow.model.nn.Scalars;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The variance term is a function of the whole batch's statistics: its parts' shares must add up to the whole term's
 * value and give each part's latents the whole term's gradient. The naive split (each part's own variance, weighted
 * by its share) does neither, which this test measures too.
 */
class LatentVarianceTest {

    private static final double TARGET = 0.6;
    private static final int BATCH = 4;
    private static final Shape SHAPE = new Shape(BATCH, 8, 4, 4);

    @Test
    void partsAddUpToTheWholeBatchsTermAndItsGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] values = latents();
            float[] wholeGradient = new float[values.length];
            double wholeLoss = gradient(manager, values, wholeGradient, null);

            float[] splitGradient = new float[values.length];
            double splitLoss = gradient(manager, values, splitGradient, Split.EXACT);
            float[] naiveGradient = new float[values.length];
            double naiveLoss = gradient(manager, values, naiveGradient, Split.NAIVE);

            double scale = maxAbs(wholeGradient);
            assertThat(splitLoss).isCloseTo(wholeLoss, within(1e-6));
            assertThat(maxAbsDifference(splitGradient, wholeGradient)).isLessThan(1e-5 * scale);
            // what the exact shares are for: each part's own variance is another loss with other gradients
            assertThat(Math.abs(naiveLoss - wholeLoss)).isGreaterThan(1e-3);
            assertThat(maxAbsDifference(naiveGradient, wholeGradient)).isGreaterThan(0.1 * scale);
        }
    }

    private enum Split { EXACT, NAIVE }

    /** The term's value, and its gradient written into {@code gradient}; whole batch for null, else parts of 3 + 1. */
    private static double gradient(NDManager manager, float[] values, float[] gradient, Split split) {
        NDArray latents = manager.create(values, SHAPE);
        latents.setRequiresGradient(true);
        double loss = 0;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            if (split == null) {
                NDArray term = Losses.varianceLoss(latents, TARGET);
                collector.backward(term);
                loss = term.getFloat();
            } else {
                LatentVariance.Accumulator accumulator = new LatentVariance.Accumulator();
                accumulator.add(latents.get(new NDIndex("0:3")).stopGradient());
                accumulator.add(latents.get(new NDIndex("3:4")).stopGradient());
                LatentVariance batch = accumulator.result();
                for (String range : new String[] {"0:3", "3:4"}) {
                    NDArray part = latents.get(new NDIndex(range));
                    double share = part.getShape().get(0) / (double) BATCH;
                    NDArray term = split == Split.EXACT ? batch.lossShare(part, TARGET, share)
                            : Scalars.times(Losses.varianceLoss(part, TARGET), share);
                    collector.backward(term);
                    loss += term.getFloat();
                }
            }
        }
        System.arraycopy(latents.getGradient().toFloatArray(), 0, gradient, 0, values.length);
        return loss;
    }

    private static float[] latents() {
        SplittableRandom random = new SplittableRandom(3);
        float[] values = new float[(int) SHAPE.size()];
        for (int i = 0; i < values.length; i++) {
            // channels with different means and spreads, so that the parts' statistics differ from the batch's
            int channel = (i / 16) % 8;
            values[i] = (float) Math.tanh(0.1 * channel + (0.2 + 0.1 * channel) * random.nextGaussian());
        }
        return values;
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
