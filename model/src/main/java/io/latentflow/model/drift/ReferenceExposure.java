package io.latentflow.model.drift;

import io.latentflow.model.eval.ValidationPsnr;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@link ImageExposure} levels of a model's reference images, as quantiles: what EXPOSURE's levels are read from
 * ({@link BrokenExposure}). Part of the reference profile, computed from the same pixels its latents were encoded
 * from.
 *
 * @param images         reference images measured
 * @param highlights     highlight level at each of {@link #RANKS}, ascending
 * @param shadows        shadow level at each of {@link #RANKS}, ascending
 * @param repeatedPixels repeated-pixel share at each of {@link #RANKS}, ascending; null in profiles made before it
 *                       (then no {@link RepeatedPixels} verdict)
 * @param repeatedPixelsHighestWindow the highest median repeated-pixel share over consecutive reference images, cut
 *                       as NOVELTY's reference windows are ({@link ReferenceImages}): {@link RepeatedPixels}' level
 */
public record ReferenceExposure(long images, double[] highlights, double[] shadows, double[] repeatedPixels,
                                double repeatedPixelsHighestWindow) implements Serializable {

    private static final long serialVersionUID = 1L;
    /** The quantiles kept: both tails and the body. */
    public static final double[] RANKS = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
    /** The reference's darkest highlights and brightest shadows: its own rarest images. */
    static final double TAIL = 0.01;

    public ReferenceExposure {
        if (images < 1 || highlights == null || shadows == null || highlights.length != RANKS.length
                || shadows.length != RANKS.length || (repeatedPixels != null && repeatedPixels.length != RANKS.length)) {
            throw new IllegalArgumentException("reference exposure needs at least one image and " + RANKS.length
                    + " quantiles of highlights, of shadows and of repeated pixels (ranks " + Arrays.toString(RANKS)
                    + ")");
        }
        highlights = highlights.clone();
        shadows = shadows.clone();
        repeatedPixels = repeatedPixels == null ? null : repeatedPixels.clone();
    }

    /** @param perImage the reference images' levels in the reference's order (name order: a source's images together) */

    public static ReferenceExposure of(List<ImageExposure> perImage) {
        if (perImage.isEmpty()) {
            throw new IllegalArgumentException("no reference images: no exposure levels");
        }
        double[] repeats = perImage.stream().mapToDouble(ImageExposure::repeatedPixels).toArray();
        return new ReferenceExposure(perImage.size(),
                quantiles(perImage.stream().mapToDouble(ImageExposure::highlight).sorted().toArray()),
                quantiles(perImage.stream().mapToDouble(ImageExposure::shadow).sorted().toArray()),
                quantiles(Arrays.stream(repeats).sorted().toArray()),
                // through the 8-bit levels a window keeps, so that the reference's own windows meet their level
                ReferenceImages.highestWindowMedian(Arrays.stream(repeats)
                        .map(share -> ImageExposure.levelOf(ImageExposure.codeOf(share))).toArray()));
    }

    private static double[] quantiles(double[] sorted) {
        double[] quantiles = new double[RANKS.length];
        for (int i = 0; i < RANKS.length; i++) {
            quantiles[i] = ValidationPsnr.quantileOfSorted(sorted, RANKS[i]);
        }
        return quantiles;
    }

    /** The highlight level of the reference's darkest {@value #TAIL} of images. */
    public double darkestHighlight() {
        return highlights[0];
    }

    /** The shadow level of the reference's brightest {@value #TAIL} of images. */
    public double brightestShadow() {
        return shadows[RANKS.length - 1];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReferenceExposure that && images == that.images
                && Arrays.equals(highlights, that.highlights) && Arrays.equals(shadows, that.shadows)
                && Arrays.equals(repeatedPixels, that.repeatedPixels)
                && Double.compare(repeatedPixelsHighestWindow, that.repeatedPixelsHighestWindow) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(images, Arrays.hashCode(highlights), Arrays.hashCode(shadows),
                Arrays.hashCode(repeatedPixels), repeatedPixelsHighestWindow);
    }

    @Override
    public String toString() {
        return "ReferenceExposure[" + images + " images, highlights " + Arrays.toString(highlights) + ", shadows "
                + Arrays.toString(shadows) + ", repeated pixels " + Arrays.toString(repeatedPixels)
                + ", highest window " + repeatedPixelsHighestWindow + "]";
    }
}
