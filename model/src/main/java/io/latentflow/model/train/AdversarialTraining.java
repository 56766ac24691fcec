package io.latentflow.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.latentflow.model.adversarial.Discriminator;
import io.latentflow.model.adversarial.RelativisticLoss;
import io.latentflow.model.loss.LossTerms;
import io.latentflow.model.recipe.Adversarial;

import java.util.LinkedHashMap;
import java.util.Map;
import io.latentflow.model.nn.Scalars;

/**
 * The discriminator side of a recipe with an adversarial loss: its own weights and Adam, its step (relativistic loss
 * plus lazily applied R1 + R2 penalties), and the generator's adversarial term. Runs its GradientCollector after the
 * autoencoder's has closed: only one can be open per process.
 */
final class AdversarialTraining {

    private final Adversarial config;
    private final Engine engine;
    private final Discriminator discriminator;
    private final NamedParameters parameters;
    private final AdamOptimizer adam;
    private final ParameterStore store;

    /** Call outside any NDScope: weights and optimiser state live as long as the training. */
    AdversarialTraining(Adversarial config, Engine engine, NDManager manager, long seed) {
        this.config = config;
        this.engine = engine;
        this.discriminator = Discriminator.initialized(config.widths(), manager, seed);
        this.parameters = NamedParameters.of(new Pair<String, Block>("discriminator", discriminator));
        this.adam = new AdamOptimizer(parameters);
        this.store = new ParameterStore(manager, false);
    }

    boolean trainsDiscriminator(long step) {
        return step >= config.discriminatorStartStep();
    }

    boolean trainsGenerator(long step) {
        return step >= config.startStep();
    }

    /**
     * Freezes the discriminator around the generator's backward pass, or its weights would collect the generator's
     * gradients into their next update (and cost a weight-gradient pass for nothing).
     */
    void freeze(boolean frozen) {
        discriminator.freezeParameters(frozen);
    }

    /** Inside the generator's GradientCollector, with the discriminator frozen. */
    void addGeneratorLoss(LossTerms terms, NDArray realImages) {
        NDArray realLogits = discriminator.judge(store, realImages, false).logits();
        NDArray fakeLogits = discriminator.judge(store, terms.reconstruction(), false).logits();
        terms.add("adv", RelativisticLoss.generator(realLogits, fakeLogits), config.weight());
    }

    /**
     * Whether this step's discriminator update adds the penalties: every {@code penaltyInterval}-th update, where it
     * adds {@code interval * gamma / 2 * (R1 + R2)}. Asked once per step, before its parts accumulate.
     */
    boolean penalises() {
        return config.gamma() > 0 && adam.updates() % config.penaltyInterval() == 0;
    }

    /**
     * Adds one part's gradients of the discriminator's loss on real images and detached reconstructions, weighted by
     * the part's {@code share} of the step's images (loss and penalties are means over images), and adds the part's
     * share of each loss term to {@code values} ({@code d}, and {@code r1r2} when penalised).
     */
    void accumulate(NDArray realImages, NDArray fakeImages, double share, boolean penalise,
                    Map<String, Double> values) {
        NDArray loss;
        NDArray penalty = null;
        try (GradientCollector collector = engine.newGradientCollector()) {
            Discriminator.Judgement real = discriminator.judge(store, realImages, penalise);
            Discriminator.Judgement fake = discriminator.judge(store, fakeImages, penalise);
            loss = RelativisticLoss.discriminator(real.logits(), fake.logits());
            NDArray total = loss;
            if (penalise) {
                penalty = RelativisticLoss.gradientPenalty(real.inputGradient())
                        .add(RelativisticLoss.gradientPenalty(fake.inputGradient()));
                total = total.add(Scalars.times(penalty, config.gamma() / 2 * config.penaltyInterval()));
            }
            collector.backward(share == 1 ? total : Scalars.times(total, share));
        }
        values.merge("d", share * loss.getFloat(), Double::sum);
        if (penalty != null) {
            values.merge("r1r2", share * penalty.getFloat(), Double::sum);
        }
    }

    /**
     * One discriminator update from the gradients its parts accumulated; applies nothing when a loss term is not
     * finite. Returns the step's terms.
     */
    Map<String, Float> apply(Map<String, Double> values, double learningRateScale) {
        Map<String, Float> terms = new LinkedHashMap<>();
        values.forEach((name, value) -> terms.put(name, value.floatValue()));
        if (terms.values().stream().allMatch(Float::isFinite)) {
            adam.step(config.learningRate() * learningRateScale);
        } else {
            adam.zeroGradients();
        }
        return terms;
    }

    NamedParameters parameters() {
        return parameters;
    }

    AdamOptimizer adam() {
        return adam;
    }
}
