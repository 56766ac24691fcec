package io.latentflow.model.train;

import java.io.PrintStream;
import java.util.Map;

/**
 * What every training run is built with, whichever kind ({@link TrainerConfig}, a fine-tune's options): the budget, the
 * crops, the seed, the threads, and what it reports where. Defaults: 64 px crops, batch 16, seed 1, 2 threads.
 *
 * @param <B> the concrete builder, so that the setters chain
 */
public abstract class TrainingRunBuilder<B extends TrainingRunBuilder<B>> {

    protected TrainingBudget budget;
    protected int cropSize = 64;
    protected int batchSize = 16;
    protected long seed = 1;
    protected int threads = 2;
    protected Map<String, Object> provenance;
    protected TrainingListener listener;
    protected PrintStream progress;
    protected String command;

    @SuppressWarnings("unchecked") // B is the class extending this one, by its declaration
    private B self() {
        return (B) this;
    }

    public B budget(TrainingBudget value) {
        this.budget = value;
        return self();
    }

    public B cropSize(int value) {
        this.cropSize = value;
        return self();
    }

    public B batchSize(int value) {
        this.batchSize = value;
        return self();
    }

    public B seed(long value) {
        this.seed = value;
        return self();
    }

    public B threads(int value) {
        this.threads = value;
        return self();
    }

    /** Where the run comes from (parent version, data sources, ...), recorded in metrics.json. */
    public B provenance(Map<String, Object> value) {
        this.provenance = value;
        return self();
    }

    /** Told after every step. */
    public B listener(TrainingListener value) {
        this.listener = value;
        return self();
    }

    /** Where progress lines go (default stderr). */
    public B progress(PrintStream value) {
        this.progress = value;
        return self();
    }

    /** The command line that started the run, recorded in metrics.json. */
    public B command(String value) {
        this.command = value;
        return self();
    }
}
