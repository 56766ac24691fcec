package io.latentflow.cli.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run of the ablation: its directory name under the ablation's output, its label in the table, and the
 * {@code latentflow train} options that make it differ from the others.
 */
record AblationRun(String name, String label, List<String> trainOptions, boolean discriminator) {

    /**
     * The scale-equivariance arm's weight: a first guess, a quarter of the reconstruction's (the term measures with
     * the same L1 + L2 at a quarter or a sixteenth of the pixels), until the ablation has measured it.
     */
    static final double SCALE_EQUIVARIANCE = 0.25;

    /** The runs of the README's ablation, in table order. */
    static final List<AblationRun> ALL = List.of(
            new AblationRun("kl-vae-f8c4", "kl-vae f8c4", List.of("--recipe", "kl-vae", "--channels", "4"), false),
            new AblationRun("kl-vae-f8c4-no-ema", "kl-vae f8c4, no EMA",
                    List.of("--recipe", "kl-vae", "--channels", "4", "--no-ema"), false),
            new AblationRun("bounded-ae-f8c4", "bounded-ae f8c4",
                    List.of("--recipe", "bounded-ae", "--channels", "4"), false),
            new AblationRun("bounded-ae-f8c8", "bounded-ae f8c8",
                    List.of("--recipe", "bounded-ae", "--channels", "8"), false),
            new AblationRun("bounded-ae-f8c8-no-ema", "bounded-ae f8c8, no EMA",
                    List.of("--recipe", "bounded-ae", "--channels", "8", "--no-ema"), false),
            new AblationRun("bounded-ae-f8c8-no-perturbations", "bounded-ae f8c8, no perturbations",
                    List.of("--recipe", "bounded-ae", "--channels", "8", "--no-perturbations"), false),
            new AblationRun("bounded-ae-f8c8-scale-equivariance", "bounded-ae f8c8, scale equivariance",
                    List.of("--recipe", "bounded-ae", "--channels", "8", "--scale-equivariance",
                            String.valueOf(AblationRun.SCALE_EQUIVARIANCE)), false),
            new AblationRun("bounded-ae-f8c8-discriminator", "bounded-ae f8c8, discriminator",
                    List.of("--recipe", "bounded-ae", "--channels", "8", "--discriminator"), true));

    /**
     * The runs compared at equal compute by default: the baseline, the recipe as shipped and its variants. The
     * discriminator run is left out: its warm-up is scheduled in steps, which a time budget does not know.
     */
    static final List<String> EQUAL_COMPUTE = List.of("kl-vae-f8c4", "bounded-ae-f8c8",
            "bounded-ae-f8c8-no-perturbations", "bounded-ae-f8c8-scale-equivariance", "bounded-ae-f8c4");

    static Optional<AblationRun> named(String name) {
        return ALL.stream().filter(run -> run.name().equals(name)).findFirst();
    }

    static String names() {
        return String.join(", ", ALL.stream().map(AblationRun::name).toList());
    }

    /**
     * This run's options for a budget of {@code steps}. The recipe's adversarial warm-up (generator from step 2000)
     * is made for long runs; here the autoencoder sees the discriminator from a third of the budget on, and the
     * discriminator trains alone for the sixth before that, so it acts on two thirds of the steps.
     */
    List<String> trainOptions(long steps) {
        List<String> options = new ArrayList<>(trainOptions);
        if (discriminator) {
            options.addAll(List.of("--discriminator-start", String.valueOf(steps / 3),
                    "--discriminator-lead", String.valueOf(steps / 6)));
        }
        return options;
    }
}
