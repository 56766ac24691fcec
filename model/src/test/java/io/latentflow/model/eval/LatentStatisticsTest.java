package io.latentflow.model.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatentStatisticsTest {

    @Test
    void perChannelFiguresMatchADirectComputation() {
        int channels = 3;
        int positions = 10;
        float[] first = latents(4, channels, positions, 1);
        float[] second = latents(2, channels, positions, 2);
        LatentStatistics statistics = new LatentStatistics(channels);
        statistics.add(first, 4, positions);
        statistics.add(second, 2, positions);

        for (int c = 0; c < channels; c++) {
            double[] direct = DirectStatistics.ofChannel(c, channels, positions, first, second);
            Moments moments = statistics.channel(c);
            assertThat(moments.count()).isEqualTo(6 * positions);
            assertThat(moments.mean()).isCloseTo(direct[0], within(1e-9));
            assertThat(moments.std()).isCloseTo(direct[1], within(1e-9));
            assertThat(moments.min()).isEqualTo(direct[2]);
            assertThat(moments.max()).isEqualTo(direct[3]);
        }
        long outside = 0;
        for (float[] batch : new float[][] {first, second}) {
            for (float v : batch) {
                outside += Math.abs(v) > 1 ? 1 : 0;
            }
        }
        assertThat(outside).as("the test data has values outside [-1, 1]").isPositive();
        assertThat(statistics.fractionOutsideUnit()).isCloseTo((double) outside / (6 * channels * positions),
                within(1e-12));
    }

    @Test
    void mergingTwoAccumulatorsEqualsAddingEverythingToOne() {
        float[] a = latents(3, 2, 5, 3);
        float[] b = latents(5, 2, 5, 4);
        LatentStatistics together = new LatentStatistics(2);
        together.add(a, 3, 5);
        together.add(b, 5, 5);
        LatentStatistics left = new LatentStatistics(2);
        left.add(b, 5, 5);
        LatentStatistics right = new LatentStatistics(2);
        right.add(a, 3, 5);
        left.merge(right);
        for (int c = 0; c < 2; c++) {
            assertThat(left.channel(c).mean()).isCloseTo(together.channel(c).mean(), within(1e-12));
            assertThat(left.channel(c).variance()).isCloseTo(together.channel(c).variance(), within(1e-12));
        }
        assertThat(left.outsideUnit()).isEqualTo(together.outsideUnit());
    }

    /** Channel c's values gathered from NCHW arrays into one list, then textbook mean / population std. */
    static final class DirectStatistics {
        static double[] ofChannel(int c, int channels, int positions, float[]... batches) {
            double sum = 0;
            long count = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float[] batch : batches) {
                for (int i = 0; i < batch.length; i++) {
                    if ((i / positions) % channels == c) {
                        sum += batch[i];
                        count++;
                        min = Math.min(min, batch[i]);
                        max = Math.max(max, batch[i]);
                    }
                }
            }
            double mean = sum / count;
            double squares = 0;
            for (float[] batch : batches) {
                for (int i = 0; i < batch.length; i++) {
                    if ((i / positions) % channels == c) {
                        squares += (batch[i] - mean) * (batch[i] - mean);
                    }
                }
            }
            return new double[] {mean, Math.sqrt(squares / count), min, max};
        }
    }

    private static float[] latents(int batch, int channels, int positions, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[batch * channels * positions];
        for (int i = 0; i < values.length; i++) {
            int c = (i / positions) % channels;
            values[i] = (float) (c - 1 + random.nextGaussian() * (0.5 + c));
        }
        return values;
    }
}
