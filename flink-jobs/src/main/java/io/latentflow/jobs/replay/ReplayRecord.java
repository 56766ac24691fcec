package io.latentflow.jobs.replay;

/**
 * One thing the replay job hands back to its client: an image's comparison, one of the worst images, a model's
 * window of latent statistics, or a rejected record. A union, so the job has a single collect sink: several collect
 * sinks drained side by side poll a finished job and fill the log with connection errors.
 *
 * <p>A Flink POJO; the Avro records travel as their single-object encoding ({@code AvroCodec}), as on the topics.
 */
public class ReplayRecord {

    public ImageComparison comparison;
    public WorstImage worst;
    /** Model index (A = 0) of {@link #window}. */
    public int model;
    /** A {@code LatentStatsWindow}, encoded. */
    public byte[] window;
    /** A {@code DeadLetter}, encoded. */
    public byte[] rejected;

    public ReplayRecord() {
    }

    static ReplayRecord of(ImageComparison comparison) {
        ReplayRecord record = new ReplayRecord();
        record.comparison = comparison;
        return record;
    }

    static ReplayRecord of(WorstImage worst) {
        ReplayRecord record = new ReplayRecord();
        record.worst = worst;
        return record;
    }

    static ReplayRecord window(int model, byte[] window) {
        ReplayRecord record = new ReplayRecord();
        record.model = model;
        record.window = window;
        return record;
    }

    static ReplayRecord rejected(byte[] deadLetter) {
        ReplayRecord record = new ReplayRecord();
        record.rejected = deadLetter;
        return record;
    }
}
