package io.latentflow.model.bench;

/**
 * How many calls a measurement makes: {@code warmup} unmeasured first (they pay for allocator growth and kernel
 * selection), then {@code measured} timed ones.
 */
public record Iterations(int warmup, int measured) {

    public Iterations {
        if (warmup < 0 || measured < 1) {
            throw new IllegalArgumentException("iterations: warm-up " + warmup + " and measured " + measured
                    + "; use a warm-up >= 0 and at least 1 measured iteration");
        }
    }
}
