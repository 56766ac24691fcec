package io.latentflow.model.finetune;

import io.latentflow.model.train.EarlyStopping;

/**
 * How long and how fast a fine-tune trains, from the data it has rather than a fixed count, and on what crops. It
 * trains on crops of {@value #CROP_SIZE} px, {@value #BATCH_SIZE} a step: a decoder judged on whole images at the
 * job's 256 px did better on held-out illustrations and photos from 128 px crops than from 64 px ones, which lost PSNR
 * on both (their 8x8 latents are mostly near a border the whole image does not have; docs/fine-tuning.md). A step of
 * {@value #BATCH_SIZE} crops of {@value #CROP_SIZE} px (or 16 of 64 px) sees about as many pixels as one 256 px
 * image, and the plan counts a step's pixels: {@value #PASSES} passes over the training images (recent plus replayed:
 * the replay share adds steps, so the recent images keep their number of passes) are {@value #PASSES} such steps per
 * image, within [{@value #MIN_STEPS}, {@value #MAX_STEPS}]. The learning rate is the one measured to gain on both new
 * and older images at 300 steps (3e-4, README "what a fine-tune buys"), lowered with the square root of the recent
 * images below {@value #FULL_RATE_IMAGES}: few images over-fit fast. Early stopping on a validation split of the
 * recent training images ends a run that gets clearly worse (not one whose validation is flat within its noise: see
 * {@link EarlyStopping}), so the budget is a ceiling. These are rules of thumb sized on this CPU's runs, not a tuned
 * schedule.
 *
 * @param steps         step budget
 * @param learningRate  Adam's rate
 * @param earlyStopping validation interval and patience
 */
public record FineTunePlan(long steps, double learningRate, EarlyStopping earlyStopping) {

    public static final double BASE_LEARNING_RATE = 3e-4;
    /** Side of a fine-tune's training crops. */
    public static final int CROP_SIZE = 128;
    /** Crops per step of a fine-tune. */
    public static final int BATCH_SIZE = 4;
    /** Pixels of one 256 px image: a step that sees this many is one step per image. */
    static final long IMAGE_PIXELS = 256 * 256;
    static final int PASSES = 2;
    static final long MIN_STEPS = 100;
    static final long MAX_STEPS = 1500;
    static final int FULL_RATE_IMAGES = 256;
    static final double MIN_LEARNING_RATE = 1e-4;

    /**
     * The crop side for a service whose images are {@code side} px: {@value #CROP_SIZE}, or the whole image where the
     * job's resolution is smaller (a crop cannot be larger than the image).
     */
    public static int cropSizeFor(int side) {
        return Math.min(CROP_SIZE, side);
    }

    /** Crops a step so that a step sees about one 256 px image: {@value #BATCH_SIZE} of 128 px, 16 of 64 px. */
    public static int batchSizeFor(int cropSize) {
        return (int) Math.max(1, IMAGE_PIXELS / ((long) cropSize * cropSize));
    }

    /**
     * @param recentImages images of the new data that train
     * @param replayImages older images replayed beside them
     * @param cropSize     side of the training crops ({@value #CROP_SIZE} is the default)
     * @param batchSize    crops per step ({@value #BATCH_SIZE} is the default)
     */
    public static FineTunePlan of(int recentImages, int replayImages, int cropSize, int batchSize) {
        long images = (long) recentImages + replayImages;
        double stepsPerImage = IMAGE_PIXELS / ((double) batchSize * cropSize * cropSize);
        long steps = Math.max(MIN_STEPS, Math.min(MAX_STEPS, Math.round(PASSES * images * stepsPerImage)));
        double rate = Math.max(MIN_LEARNING_RATE, BASE_LEARNING_RATE
                * Math.sqrt(Math.min(1.0, recentImages / (double) FULL_RATE_IMAGES)));
        return new FineTunePlan(steps, rate, new EarlyStopping(Math.max(25, steps / 10), 3, 0.01));
    }
}
