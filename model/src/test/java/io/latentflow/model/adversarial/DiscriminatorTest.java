package io.latentflow.model.adversarial;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.latentflow.model.CollectorPressure;
import org.junit.jupiter.api.Test;

import java.nio.DoubleBuffer;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DiscriminatorTest {

    private static final List<Integer> WIDTHS = List.of(4, 8, 8);

    /**
     * A float64 discriminator whose residual branches are switched on (they start at zero) so every path is exercised.
     * Float64 because the comparisons below are of two ways to compute one gradient: in float32 the CPU kernels oneDNN
     * picks (they differ between AVX2 and AVX-512 machines) round differently enough to fail a tight tolerance, which
     * would test the kernels, not the formula.
     */
    private static Discriminator discriminator(NDManager manager) {
        Discriminator d = Discriminator.initialized(WIDTHS, manager, 11, DataType.FLOAT64);
        SplittableRandom random = new SplittableRandom(12);
        for (Pair<String, Parameter> p : d.getParameters()) {
            if (p.getKey().contains("conv2") || p.getKey().contains("bias")) {
                NDArray array = p.getValue().getArray();
                double[] values = new double[Math.toIntExact(array.size())];
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextGaussian() * 0.3;
                }
                array.set(DoubleBuffer.wrap(values));
            }
        }
        return d;
    }

    private static NDArray images(NDManager manager, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[2 * 3 * 16 * 16];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.tanh(random.nextGaussian());
        }
        return manager.create(values, new Shape(2, 3, 16, 16));
    }

    /** Under collector pressure: memory released by Java and read by a backward pass would show here (see Scalars). */
    @Test
    void explicitInputGradientEqualsAutograd() throws InterruptedException {
        try (CollectorPressure pressure = CollectorPressure.start(); NDManager manager = NDManager.newBaseManager()) {
            Discriminator d = discriminator(manager);
            ParameterStore parameters = new ParameterStore(manager, false);
            NDArray x = images(manager, 1);
            x.setRequiresGradient(true);
            NDArray logits;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                logits = d.judge(parameters, x, false).logits();
                collector.backward(logits.sum());
            }
            double[] autograd = x.getGradient().toDoubleArray();
            Discriminator.Judgement judgement = d.judge(parameters, x, true);
            double[] explicit = judgement.inputGradient().toDoubleArray();
            assertThat(judgement.logits().toDoubleArray()).containsExactly(logits.toDoubleArray(), within(1e-12));
            assertThat(maxAbs(autograd)).as("the gradient is not trivially zero").isGreaterThan(1e-5);
            double tolerance = maxAbs(autograd) * 1e-9;
            for (int i = 0; i < autograd.length; i++) {
                assertThat(explicit[i]).as("element %d", i).isCloseTo(autograd[i], within(tolerance));
            }
        }
    }

    @Test
    void penaltyGradientThroughTheExplicitPathEqualsDoubleBackprop() throws InterruptedException {
        try (CollectorPressure pressure = CollectorPressure.start(); NDManager manager = NDManager.newBaseManager()) {
            Discriminator d = discriminator(manager);
            ParameterStore parameters = new ParameterStore(manager, false);
            Parameter probe = d.getParameters().get("stage0_conv1_weight");
            NDArray weight = probe.getArray();

            // Explicit input gradient, then one ordinary backward of the penalty.
            NDArray x = images(manager, 2);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray penalty = RelativisticLoss.gradientPenalty(d.judge(parameters, x, true).inputGradient());
                collector.backward(penalty);
            }
            double[] explicit = weight.getGradient().toDoubleArray();
            JniUtils.zeroGrad((PtNDArray) weight);

            // Reference: autograd's input gradient with create_graph, then backward of the same penalty.
            NDArray y = images(manager, 2);
            y.setRequiresGradient(true);
            double[] reference;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray sum = d.judge(parameters, y, false).logits().sum();
                JniUtils.backward((PtNDArray) sum, (PtNDArray) sum.onesLike(), true, true);
                double[] firstOrder = weight.getGradient().toDoubleArray();
                NDArray penalty = RelativisticLoss.gradientPenalty(y.getGradient());
                collector.backward(penalty);
                double[] total = weight.getGradient().toDoubleArray();
                reference = new double[total.length];
                for (int i = 0; i < total.length; i++) {
                    reference[i] = total[i] - firstOrder[i];
                }
            }
            assertThat(maxAbs(reference)).as("the penalty reaches the probed weight").isGreaterThan(1e-7);
            double tolerance = maxAbs(reference) * 1e-9;
            for (int i = 0; i < reference.length; i++) {
                assertThat(explicit[i]).as("element %d", i).isCloseTo(reference[i], within(tolerance));
            }
        }
    }

    @Test
    void relativisticLossesOfKnownLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray real = manager.create(new float[] {2f, 0f}, new Shape(2, 1));
            NDArray fake = manager.create(new float[] {0f, 0f}, new Shape(2, 1));
            // D: mean(softplus(fake - real)) = (log(1 + e^-2) + log 2) / 2; G: (log(1 + e^2) + log 2) / 2
            assertThat(RelativisticLoss.discriminator(real, fake).getFloat())
                    .isCloseTo((float) ((Math.log1p(Math.exp(-2)) + Math.log(2)) / 2), within(1e-6f));
            assertThat(RelativisticLoss.generator(real, fake).getFloat())
                    .isCloseTo((float) ((Math.log1p(Math.exp(2)) + Math.log(2)) / 2), within(1e-6f));
            NDArray huge = manager.create(new float[] {200f}, new Shape(1, 1));
            assertThat(RelativisticLoss.generator(huge, manager.zeros(new Shape(1, 1))).getFloat())
                    .as("no overflow").isCloseTo(200f, within(1e-3f));
            NDArray gradient = manager.create(new float[] {1, 2, 0, 0, 3, 0}, new Shape(2, 3, 1, 1));
            assertThat(RelativisticLoss.gradientPenalty(gradient).getFloat()).isCloseTo((1 + 4 + 9) / 2f,
                    within(1e-6f));
        }
    }

    @Test
    void residualBranchesStartAsIdentity() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Discriminator d = Discriminator.initialized(WIDTHS, manager, 3);
            assertThat(d.getParameters().get("stage1_conv2_weight").getArray().abs().sum().getFloat()).isZero();
            assertThat(d.judge(new ParameterStore(manager, false), images(manager, 3).toType(DataType.FLOAT32, false), false)
                    .logits().getShape())
                    .isEqualTo(new Shape(2, 1));
        }
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
