package io.latentflow.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentKind;
import io.latentflow.model.metrics.PixelRange;
import io.latentflow.model.metrics.Ssim;
import io.latentflow.model.nn.Autoencoder;
import io.latentflow.model.recipe.PerturbationPlan;
import io.latentflow.model.recipe.RecipeConfig;
import io.latentflow.model.nn.Scalars;

/**
 * The autoencoder's training objective for a recipe: encode, turn the encoder output into decoder input (perturbed
 * bounded latents, or a reparameterised sample for kl-vae), decode, and add up the weighted terms.
 */
public final class AutoencoderObjective {

    /** Stable Diffusion clamps the log-variance to this range before sampling. */
    private static final float MIN_LOG_VARIANCE = -30f;
    private static final float MAX_LOG_VARIANCE = 20f;

    private final RecipeConfig recipe;
    private final AutoencoderConfig config;

    public AutoencoderObjective(RecipeConfig recipe, AutoencoderConfig config) {
        recipe.requireCompatible(config);
        this.recipe = recipe;
        this.config = config;
    }

    /**
     * @param images      NCHW input images in [-1, 1]
     * @param targets     what the decoder should draw: the images, rolled where the plan rolls latents
     * @param plan        latent perturbations of this step (none outside training)
     * @param sampleNoise N(0, 1) noise of the latent shape for kl-vae's reparameterisation; ignored for bounded-ae
     * @param scaleFactor this step's downsampling for the scale-equivariance term ({@link
     *                    ScaleEquivariance#drawFactor}); ignored when the recipe weighs that term 0
     */
    public LossTerms compute(ParameterStore parameters, Autoencoder autoencoder, NDArray images, NDArray targets,
                             PerturbationPlan plan, NDArray sampleNoise, int scaleFactor) {
        return compute(parameters, autoencoder, images, targets, plan, sampleNoise, scaleFactor, BatchPart.WHOLE);
    }

    /** Whether a step split into micro-batches needs its whole batch's latent statistics first. */
    public boolean needsBatchVariance() {
        return config.latentKind() != LatentKind.KL && recipe.variance().weight() > 0;
    }

    /**
     * The terms of one micro-batch of a step, as its share of the whole batch's ({@link LossTerms}): the same
     * arguments, for the part's images, and the part.
     *
     * @param part the part's share of the batch and, where {@link #needsBatchVariance()}, the whole batch's
     *             latent statistics
     */
    public LossTerms compute(ParameterStore parameters, Autoencoder autoencoder, NDArray images, NDArray targets,
                             PerturbationPlan plan, NDArray sampleNoise, int scaleFactor, BatchPart part) {
        if (part.share() < 1 && needsBatchVariance() && part.batchVariance() == null) {
            throw new IllegalArgumentException("the variance term is a function of the whole batch: a part of it"
                    + " needs the batch's latent statistics (LatentVariance)");
        }
        NDArray encoded = autoencoder.encoder().forward(parameters, new NDList(images), true).singletonOrThrow();
        NDArray latents;
        NDArray kl = null;
        NDArray variance = null;
        if (config.latentKind() == LatentKind.KL) {
            int c = config.latentChannels();
            NDArray mean = encoded.get(new NDIndex(":, :{}", c));
            NDArray logVariance = encoded.get(new NDIndex(":, {}:", c)).clip(MIN_LOG_VARIANCE, MAX_LOG_VARIANCE);
            latents = mean.add(Scalars.times(logVariance, 0.5).exp().mul(sampleNoise));
            kl = Scalars.dividedBy(Losses.klDivergence(mean, logVariance), (images.getShape().size() / images.getShape()
                    .get(0)));
        } else {
            latents = encoded;
            if (recipe.variance().weight() > 0 && part.batchVariance() == null) {
                variance = Losses.varianceLoss(encoded, recipe.variance().target());
            }
        }
        NDArray decoderInput = plan.apply(latents);
        NDArray reconstruction = autoencoder.decoder().forward(parameters, new NDList(decoderInput), true)
                .singletonOrThrow();
        LossTerms terms = new LossTerms(reconstruction, targets, part.share());
        if (recipe.reconstruction().l1() > 0) {
            terms.add("l1", Losses.l1(reconstruction, targets), recipe.reconstruction().l1());
        }
        if (recipe.reconstruction().l2() > 0) {
            terms.add("l2", Losses.l2(reconstruction, targets), recipe.reconstruction().l2());
        }
        if (recipe.reconstruction().ssim() > 0) {
            terms.add("ssim", Ssim.loss(reconstruction, targets, PixelRange.SIGNED_UNIT), recipe.reconstruction().ssim());
        }
        if (variance != null) {
            terms.add("var", variance, recipe.variance().weight());
        } else if (needsBatchVariance()) {
            terms.addShare("var", part.batchVariance().lossShare(latents, recipe.variance().target(), part.share()),
                    recipe.variance().weight());
        }
        if (kl != null) {
            terms.add("kl", kl, recipe.klWeight());
        }
        if (recipe.scaleEquivariance() > 0) {
            // the clean latents and the unrolled images: a perturbation is no part of what is downsampled
            terms.add("se", ScaleEquivariance.distance(parameters, autoencoder, latents, images, scaleFactor,
                    recipe.reconstruction()), recipe.scaleEquivariance());
        }
        return terms;
    }
}
