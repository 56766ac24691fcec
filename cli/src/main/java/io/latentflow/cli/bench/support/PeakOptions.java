package io.latentflow.cli.bench.support;

import io.latentflow.model.bench.CpuPeak;
import picocli.CommandLine.Option;

/** The FP32 peak a benchmark's achieved GFLOP/s is a fraction of: derived from the CPU, or given. */
public final class PeakOptions {

    @Option(names = "--peak-gflops", paramLabel = "GFLOPS",
            description = "The CPU's FP32 peak in GFLOP/s (default: cores x clock x FLOPs/cycle from /proc/cpuinfo's"
                    + " vector flags, assuming 2 FMA units a core; the derivation is printed).")
    Double peakGflops;

    public CpuPeak peak() {
        return peakGflops != null ? CpuPeak.given(peakGflops) : CpuPeak.detect();
    }
}
