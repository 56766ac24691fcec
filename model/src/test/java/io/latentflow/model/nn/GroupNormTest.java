package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GroupNormTest {

    @Test
    void eachGroupOfEachSampleIsStandardisedSeparately() {
        int n = 2, c = 4, h = 3, w = 5, groups = 2;
        float[] values = new float[n * c * h * w];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < values.length; i++) {
            int group = (i / (h * w)) % c / (c / groups);
            int sample = i / (c * h * w);
            // Different offsets and scales per (sample, group) so a wrong grouping cannot pass.
            values[i] = (float) (random.nextGaussian() * (1 + 3 * group + sample) + 10 * group - 5 * sample);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            GroupNorm norm = new GroupNorm(groups);
            norm.initialize(manager, DataType.FLOAT32, new Shape(n, c, h, w));
            NDArray out = norm.forward(new ParameterStore(manager, false),
                    new NDList(manager.create(values, new Shape(n, c, h, w))), false).singletonOrThrow();
            float[] result = out.toFloatArray();
            int perGroup = c / groups * h * w;
            for (int start = 0; start < result.length; start += perGroup) {
                double sum = 0, squares = 0;
                for (int i = start; i < start + perGroup; i++) {
                    sum += result[i];
                    squares += result[i] * result[i];
                }
                double mean = sum / perGroup;
                assertThat(mean).isCloseTo(0, within(1e-4));
                assertThat(squares / perGroup - mean * mean).isCloseTo(1, within(1e-3));
            }
        }
    }
}
