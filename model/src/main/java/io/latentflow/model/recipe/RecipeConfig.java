package io.latentflow.model.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentflow.model.AutoencoderConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a model is trained: the losses, the latent perturbations, the optional discriminator, the optimiser and EMA.
 * A baseline is a recipe, not a fork of the code. Written as {@code recipe.json} next to {@code config.json} in every
 * model directory it trains, so that the directory says both what the model is and how it was made.
 *
 * @param kind           bounded-ae or kl-vae; fixes the encoder head ({@link RecipeKind#latentKind()})
 * @param reconstruction L1 / L2 / SSIM weights
 * @param variance       the bounded recipe's per-channel variance loss ({@link VarianceTarget#off()} for kl-vae)
 * @param klWeight       weight of the KL term for kl-vae (0 for bounded-ae); the KL is summed over latent elements and
 *                       divided by the number of image values, which keeps Stable Diffusion's ratio of KL to a
 *                       per-pixel reconstruction loss summed over the image
 * @param perturbations  latent perturbations before the decoder, during training only
 * @param adversarial    optional discriminator
 * @param learningRate   Adam learning rate of the autoencoder
 * @param emaDecay       decay of the exponential moving average of the weights; the EMA weights are the ones saved
 * @param scaleEquivariance weight of the scale-equivariance term ({@link
 *                       io.latentflow.model.loss.ScaleEquivariance}): the decoder must also draw the 2x- or
 *                       4x-downsampled image from the equally downsampled latent; 0 (the default, and what a
 *                       recipe.json without it reads as) leaves it out
 */
public record RecipeConfig(
        RecipeKind kind,
        ReconstructionWeights reconstruction,
        VarianceTarget variance,
        double klWeight,
        Perturbations perturbations,
        Adversarial adversarial,
        double learningRate,
        double emaDecay,
        Double scaleEquivariance) {

    /**
     * Default variance target 0.6 (std 0.77): the 0.1 x (var - 0.6)^2 loss of the PyTorch reference kept every channel's
     * std in 0.63-0.82 with no saturation. A target near 1 is only reachable with latents stuck at +-1, where tanh has no
     * gradient and a latent carries a sign instead of a value; 0.6 leaves that margin and still needs a scale factor of
     * only 1.3 for unit variance downstream.
     */
    public static final double DEFAULT_VARIANCE_TARGET = 0.6;
    public static final double DEFAULT_VARIANCE_WEIGHT = 0.1;
    public static final double SD_KL_WEIGHT = 1e-6;
    /**
     * L1 + L2 as in the PyTorch reference, plus 0.2 x (1 - SSIM): SSIM rewards local structure that pixel losses
     * average away; kept small so that PSNR, the headline figure, stays the main objective. Same for both recipes.
     */
    public static final ReconstructionWeights RECONSTRUCTION = new ReconstructionWeights(1, 1, 0.2);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public RecipeConfig {
        if (kind == null) {
            throw new IllegalArgumentException("recipe kind is missing: use bounded-ae or kl-vae");
        }
        if (reconstruction == null) {
            throw new IllegalArgumentException("recipe reconstruction weights are missing: e.g. {\"l1\":1,\"l2\":1,"
                    + "\"ssim\":0}");
        }
        variance = variance == null ? VarianceTarget.off() : variance;
        perturbations = perturbations == null ? Perturbations.none() : perturbations;
        adversarial = adversarial == null ? Adversarial.defaults(false) : adversarial;
        Checks.nonNegative("klWeight", klWeight);
        // a boxed weight: absent from a recipe.json written before the term, it reads as null and means off
        scaleEquivariance = scaleEquivariance == null ? 0.0 : scaleEquivariance;
        Checks.nonNegative("scaleEquivariance", scaleEquivariance);
        Checks.positive("learningRate", learningRate);
        if (!(emaDecay >= 0 && emaDecay < 1)) {
            throw new IllegalArgumentException("emaDecay is " + emaDecay + ": use 0 (no averaging) to below 1, e.g."
                    + " 0.999");
        }
        if (kind == RecipeKind.KL_VAE && variance.weight() > 0) {
            throw new IllegalArgumentException("kl-vae latents are unbounded: the variance loss belongs to bounded-ae;"
                    + " set variance.weight to 0");
        }
        if (kind == RecipeKind.BOUNDED_AE && klWeight > 0) {
            throw new IllegalArgumentException("bounded-ae has no KL term: set klWeight to 0");
        }
    }

    /**
     * The project's recipe. Perturbation defaults: the reference's N(0, U(0, 0.2)^2) noise made the decoder immune to
     * latent noise but cost about 2.7 dB; here it hits half of the samples, so the decoder keeps seeing clean latents
     * too. Dropouts and shifts are rare and mild: they teach tolerance of dead or displaced cells without dominating.
     */
    public static RecipeConfig boundedAe() {
        Perturbations perturbations = new Perturbations(
                new Perturbation(0.5, 0.2),
                new Perturbation(0.1, 0.125),
                new Perturbation(0.1, 0.05),
                new Perturbation(0.1, 1),
                new Perturbation(0.25, 8));
        return new RecipeConfig(RecipeKind.BOUNDED_AE, RECONSTRUCTION,
                new VarianceTarget(DEFAULT_VARIANCE_WEIGHT, DEFAULT_VARIANCE_TARGET), 0, perturbations,
                Adversarial.defaults(false), 1e-3, 0.999, 0.0);
    }

    /** The Stable Diffusion style baseline: KL weight 1e-6, sampled latents, no perturbations. */
    public static RecipeConfig klVae() {
        return new RecipeConfig(RecipeKind.KL_VAE, RECONSTRUCTION, VarianceTarget.off(),
                SD_KL_WEIGHT, Perturbations.none(), Adversarial.defaults(false), 1e-3, 0.999, 0.0);
    }

    /** The preset for a recipe kind. */
    public static RecipeConfig preset(RecipeKind kind) {
        return kind == RecipeKind.BOUNDED_AE ? boundedAe() : klVae();
    }

    /** Same recipe, decoder trained on clean latents only (ablation). */
    public RecipeConfig withoutPerturbations() {
        return new RecipeConfig(kind, reconstruction, variance, klWeight, Perturbations.none(), adversarial,
                learningRate, emaDecay, scaleEquivariance);
    }

    /** Same recipe with another Adam learning rate (e.g. a gentler one for fine-tuning a trained version). */
    public RecipeConfig withLearningRate(double rate) {
        return new RecipeConfig(kind, reconstruction, variance, klWeight, perturbations, adversarial, rate, emaDecay,
                scaleEquivariance);
    }

    /** Same recipe, saving the trained weights themselves (EMA decay 0; ablation). */
    public RecipeConfig withoutWeightAverage() {
        return new RecipeConfig(kind, reconstruction, variance, klWeight, perturbations, adversarial, learningRate, 0,
                scaleEquivariance);
    }

    public RecipeConfig withDiscriminator() {
        return withAdversarial(new Adversarial(true, adversarial.startStep(), adversarial.discriminatorLead(),
                adversarial.weight(), adversarial.gamma(), adversarial.penaltyInterval(), adversarial.learningRate(),
                adversarial.widths()));
    }

    /**
     * Moves the adversarial warm-up: the autoencoder sees the discriminator from {@code startStep}; the discriminator
     * trains alone for {@code lead} steps before that (null keeps the current lead, capped at {@code startStep}).
     */
    public RecipeConfig withAdversarialSchedule(int startStep, Integer lead) {
        int newLead = lead != null ? lead : Math.min(adversarial.discriminatorLead(), startStep);
        return withAdversarial(new Adversarial(adversarial.enabled(), startStep, newLead, adversarial.weight(),
                adversarial.gamma(), adversarial.penaltyInterval(), adversarial.learningRate(), adversarial.widths()));
    }

    public RecipeConfig withoutDiscriminator() {
        return withAdversarial(new Adversarial(false, adversarial.startStep(), adversarial.discriminatorLead(),
                adversarial.weight(), adversarial.gamma(), adversarial.penaltyInterval(), adversarial.learningRate(),
                adversarial.widths()));
    }

    public RecipeConfig withAdversarial(Adversarial newAdversarial) {
        return new RecipeConfig(kind, reconstruction, variance, klWeight, perturbations, newAdversarial,
                learningRate, emaDecay, scaleEquivariance);
    }

    public RecipeConfig withReconstruction(ReconstructionWeights weights) {
        return new RecipeConfig(kind, weights, variance, klWeight, perturbations, adversarial, learningRate,
                emaDecay, scaleEquivariance);
    }

    /** Same recipe with the scale-equivariance term at {@code weight} (0: off). */
    public RecipeConfig withScaleEquivariance(double weight) {
        return new RecipeConfig(kind, reconstruction, variance, klWeight, perturbations, adversarial, learningRate,
                emaDecay, weight);
    }

    /** Throws when the architecture's latent head does not match this recipe (e.g. kl-vae on a bounded config). */
    public void requireCompatible(AutoencoderConfig config) {
        if (config.latentKind() != kind.latentKind()) {
            throw new IllegalArgumentException("recipe " + kind.id() + " trains " + kind.latentKind()
                    + " latents but the architecture has latentKind " + config.latentKind()
                    + ": build the config with latentKind " + kind.latentKind());
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + this, e);
        }
    }

    public static RecipeConfig fromJson(String json) {
        try {
            return JSON.readValue(json, RecipeConfig.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException("invalid recipe: " + cause.getMessage(), e);
        }
    }

    public static RecipeConfig read(Path file) throws IOException {
        try {
            return fromJson(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
