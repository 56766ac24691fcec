package io.latentflow.model.recipe;

/**
 * One latent perturbation applied before the decoder during training: to each sample of a batch independently with
 * {@code probability}, with a {@code strength} whose meaning depends on the perturbation (see {@link Perturbations}).
 */
public record Perturbation(double probability, double strength) {

    public Perturbation {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("perturbation probability is " + probability + ": use 0 to 1");
        }
        Checks.nonNegative("perturbation strength", strength);
    }

    public static Perturbation off() {
        return new Perturbation(0, 0);
    }

    public boolean enabled() {
        return probability > 0 && strength > 0;
    }
}
