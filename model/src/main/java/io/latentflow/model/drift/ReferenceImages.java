package io.latentflow.model.drift;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.ToDoubleFunction;

/**
 * The reference images as points, for the NOVELTY statistic: each image's latent as its {@link LatentDescriptor},
 * every coordinate divided by its spread over the reference images. An image's novelty is its mean distance to its
 * {@code neighbours} nearest reference images, over the reference's own most novel window: the highest mean, over
 * {@value #WINDOW} consecutive reference images (one or two source photos), of each image's distance to the images of
 * OTHER source photos. So 1 is "as unlike the rest as the reference's most unusual photo is", photos of new scenes
 * score below or about 1, and content the reference does not show more. The level is thereby read from the
 * reference itself, and a broad reference (many kinds of photos) tolerates more than a narrow one.
 *
 * <p>Leave-source-out, because a live image is never a tile of a reference photo and tiles of one photo are
 * near-duplicates of each other: measured leave-one-out, the typical distance was that of a tile to its sibling tile,
 * and every new photo looked 2-3x novel (the first window of ordinary unseen photos was CRITICAL). The mean
 * over several neighbours rather than the nearest one keeps a single look-alike reference image from hiding a new
 * domain.
 *
 * <p>Per-channel marginals cannot tell "a minute of one familiar scene" from "new content": a window of tiles of one
 * photo moves channel means and PSI further than a window of illustrations does (see {@link DriftThresholds}).
 *
 * @param scale           the spread of each descriptor coordinate over the reference images
 * @param neighbours      how many nearest reference images an image's distance is averaged over
 * @param typicalDistance the highest mean over a window of reference images of that distance, counting only other
 *                        sources' images
 * @param points          one descriptor per reference image, divided by {@code scale}
 */
public record ReferenceImages(double[] scale, int neighbours, double typicalDistance, double[][] points)
        implements Serializable {

    private static final long serialVersionUID = 2L;
    /** One image counts at most this much, so that a single odd image cannot make a window novel on its own. */
    public static final double MAX_NOVELTY = 4;
    /** Nearest reference images averaged over (measured: 3 and 10 give the same false alarms; 10 detects sooner). */
    public static final int NEIGHBOURS = 10;
    /** Images per window of the reference's own that sets the typical distance: the monitor's windows of 32. */
    static final int WINDOW = 32;
    private static final int WINDOW_STRIDE = 8;

    public ReferenceImages {
        if (points == null || points.length < 2) {
            throw new IllegalArgumentException("novelty needs at least two reference images");
        }
        if (neighbours < 1) {
            throw new IllegalArgumentException("novelty needs at least one neighbour, got " + neighbours);
        }
        if (!(typicalDistance > 0)) {
            throw new IllegalArgumentException("the reference images' typical nearest-neighbour distance must be"
                    + " positive, got " + typicalDistance + ": they are all alike");
        }
    }

    /**
     * @param descriptors per reference image, its {@link LatentDescriptor}
     * @param sources     per reference image, the source it was cut from (e.g. {@code SourceSplit.sourceOf}); null
     *                    when unknown (or all one source), and then the typical distance is measured leave-one-out
     */
    static ReferenceImages of(double[][] descriptors, List<String> sources) {
        if (sources != null && sources.size() != descriptors.length) {
            throw new IllegalArgumentException(sources.size() + " sources for " + descriptors.length
                    + " reference images: give one source per image");
        }
        int dims = descriptors[0].length;
        double[] mean = new double[dims];
        double[] scale = new double[dims];
        for (double[] descriptor : descriptors) {
            for (int d = 0; d < dims; d++) {
                mean[d] += descriptor[d] / descriptors.length;
            }
        }
        for (double[] descriptor : descriptors) {
            for (int d = 0; d < dims; d++) {
                scale[d] += (descriptor[d] - mean[d]) * (descriptor[d] - mean[d]) / descriptors.length;
            }
        }
        for (int d = 0; d < dims; d++) {
            scale[d] = Math.max(Math.sqrt(scale[d]), 1e-6);
        }
        double[][] points = new double[descriptors.length][dims];
        for (int i = 0; i < descriptors.length; i++) {
            for (int d = 0; d < dims; d++) {
                points[i][d] = descriptors[i][d] / scale[d];
            }
        }
        boolean bySource = sources != null && sources.stream().distinct().count() > 1;
        int neighbours = Math.min(NEIGHBOURS, descriptors.length - 1);
        double[] toOthers = new double[points.length];
        for (int i = 0; i < points.length; i++) {
            String own = bySource ? sources.get(i) : null;
            int self = i;
            toOthers[i] = meanNearestDistance(points, points[i], neighbours,
                    j -> bySource ? own.equals(sources.get(j)) : j == self);
        }
        return new ReferenceImages(scale, neighbours, Math.max(highestWindowMean(toOthers), 1e-9), points);
    }

    /**
     * The highest mean over {@value #WINDOW} consecutive values (starts {@value #WINDOW_STRIDE} apart), or the mean of
     * all when there are fewer. The reference images come in name order, so such a window holds one or two source
     * photos: what a window of a new photo looks like.
     */
    static double highestWindowMean(double[] values) {
        return highestWindow(values, window -> Arrays.stream(window).average().orElse(0));
    }

    /** As {@link #highestWindowMean}, of each window's median (nearest rank, the lower one of an even count, as a
     * window's histogram reads it). */
    static double highestWindowMedian(double[] values) {
        return highestWindow(values, window -> {
            double[] sorted = window.clone();
            Arrays.sort(sorted);
            return sorted[(sorted.length - 1) / 2];
        });
    }

    private static double highestWindow(double[] values, ToDoubleFunction<double[]> summary) {
        int window = Math.min(WINDOW, values.length);
        double highest = 0;
        for (int start = 0; start + window <= values.length; start += WINDOW_STRIDE) {
            highest = Math.max(highest, summary.applyAsDouble(Arrays.copyOfRange(values, start, start + window)));
        }
        return highest;
    }

    /** Novelty of an image from its latent's {@link LatentDescriptor}; capped at {@value #MAX_NOVELTY}. */
    public double novelty(double[] descriptor) {
        if (descriptor.length != scale.length) {
            throw new IllegalArgumentException("a descriptor of " + descriptor.length + " numbers cannot be compared"
                    + " with reference images described by " + scale.length);
        }
        double[] point = new double[descriptor.length];
        for (int d = 0; d < point.length; d++) {
            point[d] = descriptor[d] / scale[d];
        }
        return Math.min(MAX_NOVELTY, meanNearestDistance(points, point, neighbours, j -> false) / typicalDistance);
    }

    /** Mean distance from {@code point} to its {@code k} nearest {@code points} (fewer if fewer are not skipped). */
    private static double meanNearestDistance(double[][] points, double[] point, int k, IntPredicate skip) {
        double[] nearest = new double[k];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int i = 0; i < points.length; i++) {
            if (skip.test(i)) {
                continue;
            }
            double bound = nearest[k - 1];
            double sum = 0;
            double[] other = points[i];
            for (int d = 0; d < point.length && sum < bound; d++) {
                double delta = point[d] - other[d];
                sum += delta * delta;
            }
            if (sum < bound) {
                int at = k - 1;
                while (at > 0 && nearest[at - 1] > sum) {
                    nearest[at] = nearest[at - 1];
                    at--;
                }
                nearest[at] = sum;
            }
        }
        double total = 0;
        int counted = 0;
        for (double squared : nearest) {
            if (squared != Double.POSITIVE_INFINITY) {
                total += Math.sqrt(squared);
                counted++;
            }
        }
        return counted == 0 ? Double.POSITIVE_INFINITY : total / counted;
    }
}
