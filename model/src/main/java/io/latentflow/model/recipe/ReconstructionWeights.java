package io.latentflow.model.recipe;

/**
 * Weights of the reconstruction terms, each on images in [-1, 1] averaged over pixels.
 *
 * @param l1   weight of the mean absolute error
 * @param l2   weight of the mean squared error
 * @param ssim weight of {@code 1 - SSIM} (structural similarity, computed on [0, 1] images)
 */
public record ReconstructionWeights(double l1, double l2, double ssim) {

    public ReconstructionWeights {
        Checks.nonNegative("reconstruction.l1", l1);
        Checks.nonNegative("reconstruction.l2", l2);
        Checks.nonNegative("reconstruction.ssim", ssim);
        if (l1 + l2 + ssim == 0) {
            throw new IllegalArgumentException("reconstruction weights are all 0: set at least one of l1, l2, ssim");
        }
    }
}
