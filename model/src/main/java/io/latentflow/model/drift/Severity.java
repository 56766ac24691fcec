package io.latentflow.model.drift;

/** How bad a model version's latent drift is, in increasing order. */
public enum Severity {
    OK, WARNING, CRITICAL;

    public boolean isWorseThan(Severity other) {
        return compareTo(other) > 0;
    }
}
