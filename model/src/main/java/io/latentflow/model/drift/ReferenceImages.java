package io.latentflow.model.drift;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The reference images as points, for the NOVELTY statistic: each image's latent summarised by its per-channel mean
 * and std ({@code 2 C} numbers), every coordinate divided by its spread over the reference images. An image's novelty
 * is the distance from its point to the nearest reference image's, over the typical such distance among the
 * reference images themselves: about 1 for an image like the reference images, more for content they do not show.
 *
 * <p>The typical distance is measured leave-SOURCE-out when the reference images' sources are known (each reference
 * image's distance to the nearest image of another source photo): a live image is never a tile of a reference photo,
 * and tiles of one photo are near-duplicates of each other. Measured leave-one-out, the typical distance was that of
 * a tile to its sibling tile, and every new photo looked 2-3x novel (issue 13: CRITICAL in the first window of
 * ordinary unseen photos).
 *
 * <p>Per-channel marginals cannot tell "a minute of one familiar scene" from "new content": a window of tiles of one
 * photo moves channel means and PSI further than a window of illustrations does (see {@link DriftThresholds}), while
 * every such tile has a near neighbour among the reference images and an illustration has none.
 *
 * @param scale            the spread of each summary coordinate over the reference images
 * @param typicalDistance  median distance of a reference image to its nearest other reference image
 * @param points           one summary per reference image, divided by {@code scale}
 */
public record ReferenceImages(double[] scale, double typicalDistance, double[][] points) implements Serializable {

    private static final long serialVersionUID = 1L;
    /** One image counts at most this much, so that a single odd image cannot make a window novel on its own. */
    public static final double MAX_NOVELTY = 4;

    public ReferenceImages {
        if (points == null || points.length < 2) {
            throw new IllegalArgumentException("novelty needs at least two reference images");
        }
        if (!(typicalDistance > 0)) {
            throw new IllegalArgumentException("the reference images' typical nearest-neighbour distance must be"
                    + " positive, got " + typicalDistance + ": they are all alike");
        }
    }

    /**
     * @param summaries per reference image: channel means, then channel stds
     * @param sources   per reference image, the source it was cut from (e.g. {@code SourceSplit.sourceOf}); null
     *                  when unknown, and then the typical distance is measured leave-one-out
     */
    static ReferenceImages of(double[][] summaries, List<String> sources) {
        if (sources != null && sources.size() != summaries.length) {
            throw new IllegalArgumentException(sources.size() + " sources for " + summaries.length
                    + " reference images: give one source per image");
        }
        int dims = summaries[0].length;
        double[] mean = new double[dims];
        double[] scale = new double[dims];
        for (double[] summary : summaries) {
            for (int d = 0; d < dims; d++) {
                mean[d] += summary[d] / summaries.length;
            }
        }
        for (double[] summary : summaries) {
            for (int d = 0; d < dims; d++) {
                scale[d] += (summary[d] - mean[d]) * (summary[d] - mean[d]) / summaries.length;
            }
        }
        for (int d = 0; d < dims; d++) {
            scale[d] = Math.max(Math.sqrt(scale[d]), 1e-6);
        }
        double[][] points = new double[summaries.length][dims];
        for (int i = 0; i < summaries.length; i++) {
            for (int d = 0; d < dims; d++) {
                points[i][d] = summaries[i][d] / scale[d];
            }
        }
        boolean bySource = sources != null && sources.stream().distinct().count() > 1;
        double[] nearest = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            String own = bySource ? sources.get(i) : null;
            int self = i;
            nearest[i] = nearestDistance(points, points[i], j -> bySource ? own.equals(sources.get(j)) : j == self);
        }
        Arrays.sort(nearest);
        return new ReferenceImages(scale, Math.max(nearest[nearest.length / 2], 1e-9), points);
    }

    /** Novelty of an image from its latent's per-channel means and stds; capped at {@value #MAX_NOVELTY}. */
    public double novelty(double[] channelMeans, double[] channelStds) {
        int channels = channelMeans.length;
        double[] point = new double[2 * channels];
        for (int c = 0; c < channels; c++) {
            point[c] = channelMeans[c] / scale[c];
            point[channels + c] = channelStds[c] / scale[channels + c];
        }
        return Math.min(MAX_NOVELTY, nearestDistance(points, point, j -> false) / typicalDistance);
    }

    private static double nearestDistance(double[][] points, double[] point, IntPredicate skip) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < points.length; i++) {
            if (skip.test(i)) {
                continue;
            }
            double sum = 0;
            double[] other = points[i];
            for (int d = 0; d < point.length && sum < best; d++) {
                double delta = point[d] - other[d];
                sum += delta * delta;
            }
            best = Math.min(best, sum);
        }
        return Math.sqrt(best);
    }
}
