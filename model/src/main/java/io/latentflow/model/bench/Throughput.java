package io.latentflow.model.bench;

/** A measured rate: images per second, and milliseconds per call of {@code batch} images. */
public record Throughput(double imagesPerSecond, double millisPerCall) {

    /** Times {@code iterations.measured()} calls of {@code call}, each on {@code batch} images, after the warm-up. */
    static Throughput measure(Runnable call, int batch, Iterations iterations) {
        for (int i = 0; i < iterations.warmup(); i++) {
            call.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations.measured(); i++) {
            call.run();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Throughput(iterations.measured() * batch / seconds, seconds * 1000 / iterations.measured());
    }

    public boolean positiveAndFinite() {
        return imagesPerSecond > 0 && Double.isFinite(imagesPerSecond) && millisPerCall > 0
                && Double.isFinite(millisPerCall);
    }
}
