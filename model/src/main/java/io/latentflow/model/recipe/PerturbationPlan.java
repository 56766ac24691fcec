package io.latentflow.model.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * The perturbations drawn for one batch of latents (N, C, H, W): a per-sample roll, a multiplicative mask (channel and
 * spatial dropout) and an additive noise (Gaussian and quantisation). Absent parts are null and cost nothing.
 */
public final class PerturbationPlan {

    private final int batch;
    private final int channels;
    private final int height;
    private final int width;
    private final int[] shiftY;
    private final int[] shiftX;
    private final float[] mask;
    private final float[] noise;

    PerturbationPlan(int batch, int channels, int height, int width, int[] shiftY, int[] shiftX, float[] mask,
                     float[] noise) {
        this.batch = batch;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.shiftY = shiftY;
        this.shiftX = shiftX;
        this.mask = mask;
        this.noise = noise;
    }

    /** A plan that leaves latents untouched. */
    public static PerturbationPlan none(int batch, int channels, int height, int width) {
        return new PerturbationPlan(batch, channels, height, width, null, null, null, null);
    }

    public boolean shifts() {
        return shiftY != null;
    }

    /** Roll of sample n in latent cells (down, right); 0 when it is not shifted. */
    public int shiftY(int n) {
        return shiftY == null ? 0 : shiftY[n];
    }

    public int shiftX(int n) {
        return shiftX == null ? 0 : shiftX[n];
    }

    /** The multiplicative mask, NCHW, or null when nothing is dropped. */
    public float[] mask() {
        return mask;
    }

    /** The additive noise, NCHW, or null when none is added. */
    public float[] noise() {
        return noise;
    }

    /** The plan of samples {@code first} to {@code first + count - 1}, for a micro-batch of the step. */
    public PerturbationPlan part(int first, int count) {
        if (first < 0 || count < 1 || first + count > batch) {
            throw new IllegalArgumentException("samples " + first + " to " + (first + count - 1) + " of a plan for "
                    + batch);
        }
        if (first == 0 && count == batch) {
            return this;
        }
        int perSample = channels * height * width;
        return new PerturbationPlan(count, channels, height, width,
                shiftY == null ? null : Arrays.copyOfRange(shiftY, first, first + count),
                shiftX == null ? null : Arrays.copyOfRange(shiftX, first, first + count),
                mask == null ? null : Arrays.copyOfRange(mask, first * perSample, (first + count) * perSample),
                noise == null ? null
                        : Arrays.copyOfRange(noise, first * perSample, (first + count) * perSample));
    }

    /** Applies the plan to latents of this plan's shape; differentiable with respect to {@code latents}. */
    public NDArray apply(NDArray latents) {
        Shape shape = new Shape(batch, channels, height, width);
        if (!latents.getShape().equals(shape)) {
            throw new IllegalArgumentException("latents have shape " + latents.getShape() + ", the plan was drawn"
                    + " for " + shape);
        }
        NDManager manager = latents.getManager();
        NDArray out = latents;
        if (shiftY != null) {
            NDArray index = manager.create(rollIndex(), new Shape(batch, channels, (long) height * width));
            out = out.reshape(batch, channels, (long) height * width).gather(index, 2).reshape(shape);
        }
        if (mask != null) {
            out = out.mul(manager.create(mask, shape));
        }
        if (noise != null) {
            out = out.add(manager.create(noise, shape));
        }
        return out;
    }

    /**
     * Rolls NCHW images by each sample's shift times {@code factor} (the autoencoder's f), so that the target matches
     * what the decoder is asked to draw from rolled latents. Returns the input when nothing is shifted.
     */
    public float[] rollImages(float[] pixels, int imageChannels, int imageHeight, int imageWidth, int factor) {
        if (shiftY == null) {
            return pixels;
        }
        float[] rolled = new float[pixels.length];
        int plane = imageHeight * imageWidth;
        for (int n = 0; n < batch; n++) {
            int dy = shiftY[n] * factor;
            int dx = shiftX[n] * factor;
            for (int c = 0; c < imageChannels; c++) {
                int base = (n * imageChannels + c) * plane;
                rollPlane(pixels, rolled, base, imageHeight, imageWidth, dy, dx);
            }
        }
        return rolled;
    }

    private long[] rollIndex() {
        int plane = height * width;
        long[] index = new long[batch * channels * plane];
        int i = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < height; y++) {
                    int sourceY = Math.floorMod(y - shiftY[n], height);
                    for (int x = 0; x < width; x++) {
                        index[i++] = (long) sourceY * width + Math.floorMod(x - shiftX[n], width);
                    }
                }
            }
        }
        return index;
    }

    private static void rollPlane(float[] from, float[] to, int base, int height, int width, int dy, int dx) {
        for (int y = 0; y < height; y++) {
            int sourceRow = base + Math.floorMod(y - dy, height) * width;
            int targetRow = base + y * width;
            for (int x = 0; x < width; x++) {
                to[targetRow + x] = from[sourceRow + Math.floorMod(x - dx, width)];
            }
        }
    }
}
