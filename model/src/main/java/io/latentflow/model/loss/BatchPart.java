package io.latentflow.model.loss;

/**
 * Which part of a training step's batch a loss is computed on, when the step runs its batch in micro-batches: the
 * part's share of the images, and the statistics of the whole batch that a term which is no mean over images needs.
 *
 * @param share         the part's images over the batch's, in (0, 1]
 * @param batchVariance the whole batch's latent channel statistics, for the variance term; null for the whole batch
 *                      (the term then measures the part itself) or a recipe without the term
 */
public record BatchPart(double share, LatentVariance batchVariance) {

    public static final BatchPart WHOLE = new BatchPart(1, null);

    public BatchPart {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("a part's share of the batch is " + share + ": use (0, 1]");
        }
    }
}
