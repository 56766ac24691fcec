package io.latentflow.model.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.latentflow.model.CollectorPressure;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gradients through a constant stay exact while the JVM collects garbage between the forward and the backward
 * pass. DJL's own {@code x.mul(0.5f)} fails this: its constant lives in a Java buffer the collector frees (see
 * {@link Scalars}).
 */
class ScalarsTest {

    private static final float[] X = {-2f, -0.5f, 1f, 3f};

    @Test
    void gradientsThroughConstantsAreExactUnderCollectorPressure() throws InterruptedException {
        try (CollectorPressure pressure = CollectorPressure.start()) {
            for (int round = 0; round < 100; round++) {
                assertThat(gradient(x -> Scalars.times(x, 0.5))).containsExactly(0.5f, 0.5f, 0.5f, 0.5f);
                assertThat(gradient(x -> Scalars.dividedBy(x, 4))).containsExactly(0.25f, 0.25f, 0.25f, 0.25f);
                assertThat(gradient(x -> Scalars.times(Scalars.atLeast(x, 0), 2))).containsExactly(0f, 0f, 2f, 2f);
                assertThat(gradient(x -> Scalars.minus(Scalars.plus(x, 1), 3).square()))
                        .containsExactly(-8f, -5f, -2f, 2f);
            }
        }
    }

    @Test
    void constantsTakeTheTypeOfTheArray() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray doubles = manager.create(new double[] {1, 2});
            assertThat(Scalars.times(doubles, 0.5).toDoubleArray()).containsExactly(0.5, 1.0);
            assertThat(Scalars.of(doubles, 3).getShape()).isEqualTo(new Shape());
        }
    }

    /** d(sum(f(x)))/dx, with garbage collected between the forward and the backward pass. */
    private static float[] gradient(UnaryOperator<NDArray> f) {
        try (NDManager manager = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray x = manager.create(X.clone(), new Shape(X.length));
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = f.apply(x).sum();
                System.gc();
                collector.backward(loss);
            }
            return x.getGradient().toFloatArray();
        }
    }
}
