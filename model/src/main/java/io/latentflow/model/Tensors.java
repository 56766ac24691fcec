package io.latentflow.model;

/** Argument checks shared by the encoder and the decoder, so a bad batch fails with its name, not deep in PyTorch. */
final class Tensors {

    private Tensors() {
    }

    static void requireBatch(float[] values, String name, int batch, int channels, int height, int width,
                             int multipleOf) {
        if (values == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (batch < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(name + ": batch " + batch + ", height " + height + ", width " + width
                    + " must all be positive");
        }
        if (height % multipleOf != 0 || width % multipleOf != 0) {
            throw new IllegalArgumentException(name + ": " + height + "x" + width + " is not a multiple of the"
                    + " model's downsampling factor " + multipleOf + "; resize or crop to a multiple of it");
        }
        long expected = (long) batch * channels * height * width;
        if (values.length != expected) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, expected batch " + batch
                    + " x " + channels + " channels x " + height + " x " + width + " = " + expected + " (NCHW)");
        }
    }
}
