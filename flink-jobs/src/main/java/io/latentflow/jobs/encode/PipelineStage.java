package io.latentflow.jobs.encode;

/** The stage of the encode pipeline that refused an input, as written in {@code DeadLetter.stage}. */
public enum PipelineStage {
    DESERIALIZE, FETCH, DECODE, VALIDATE, ENCODE;

    public String label() {
        return name().toLowerCase();
    }
}
