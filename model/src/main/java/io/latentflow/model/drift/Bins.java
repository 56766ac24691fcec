package io.latentflow.model.drift;

import java.util.Arrays;

/**
 * Bins over strictly increasing edges: bin 0 holds values below {@code edges[0]}, bin i holds
 * {@code [edges[i-1], edges[i])}, the last bin holds values from the last edge up; {@code edges.length + 1} bins.
 */
final class Bins {

    private Bins() {
    }

    static int of(double[] edges, float value) {
        // upper bound: the number of edges <= value
        int low = 0;
        int high = edges.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (edges[mid] <= value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** Quantile edges of sorted values at ranks i / bins, with repeated values collapsed so edges strictly increase. */
    static double[] quantileEdges(float[] sorted, int bins) {
        double[] edges = new double[bins - 1];
        int count = 0;
        for (int i = 1; i < bins; i++) {
            double edge = sorted[(int) Math.min(sorted.length - 1, (long) i * sorted.length / bins)];
            if (count == 0 || edge > edges[count - 1]) {
                edges[count++] = edge;
            }
        }
        return Arrays.copyOf(edges, count);
    }

    static double[] fractions(long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        double[] fractions = new double[counts.length];
        for (int i = 0; i < counts.length && total > 0; i++) {
            fractions[i] = (double) counts[i] / total;
        }
        return fractions;
    }
}
