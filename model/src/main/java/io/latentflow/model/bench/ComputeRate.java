package io.latentflow.model.bench;

/**
 * A measured rate in FLOPs: what one image costs (counted from the architecture), what the measured images/s make of
 * it, and that as a fraction of the CPU's FP32 peak.
 */
public record ComputeRate(double gflopsPerImage, double achievedGflops, double peakFraction) {

    public static ComputeRate of(long flopsPerImage, double imagesPerSecond, CpuPeak peak) {
        double achieved = flopsPerImage * imagesPerSecond / 1e9;
        return new ComputeRate(flopsPerImage / 1e9, achieved, peak.fractionOf(achieved));
    }
}
