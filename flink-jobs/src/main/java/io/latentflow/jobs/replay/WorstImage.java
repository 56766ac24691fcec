package io.latentflow.jobs.replay;

/**
 * One of the images where B lost most to A (or, with one model, where A did worst), with its pixels for the report's
 * grid: the model input and each model's reconstruction, {@code size x size} RGB bytes in HWC order.
 *
 * <p>A Flink POJO so it travels without Kryo.
 */
public class WorstImage {

    public int partition;
    public long offset;
    public String imageId;
    public String source;
    public long eventTime;
    /** The image's caption and class, null for none: a reader of the report sees what the image was meant to be. */
    public String caption;
    public String label;
    public double[] psnr;
    /** What the ranking sorts by, ascending: B - A in dB with two models, A's PSNR with one. */
    public double score;
    public int size;
    public byte[] input;
    /** One {@code size * size * 3} block per model, A first. */
    public byte[] reconstructions;

    public WorstImage() {
    }

    @Override
    public String toString() {
        return "WorstImage{" + imageId + ", score " + score + "}";
    }
}
