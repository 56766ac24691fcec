package io.latentflow.model.drift;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The reference images as points, for the NOVELTY statistic: each image's latent summarised by its per-channel mean
 * and std ({@code 2 C} numbers), every coordinate divided by its spread over the reference images. An image's novelty
 * is the distance from its point to the nearest reference image's, over the typical such distance among the
 * reference images themselves (the median leave-one-out nearest-neighbour distance): about 1 for an image like the
 * reference images, more for content they do not show.
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

    /** @param summaries per reference image: channel means, then channel stds */
    static ReferenceImages of(double[][] summaries) {
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
        double[] nearest = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            nearest[i] = nearestDistance(points, points[i], i);
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
        return Math.min(MAX_NOVELTY, nearestDistance(points, point, -1) / typicalDistance);
    }

    private static double nearestDistance(double[][] points, double[] point, int skip) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < points.length; i++) {
            if (i == skip) {
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
