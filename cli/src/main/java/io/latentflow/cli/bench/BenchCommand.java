package io.latentflow.cli.bench;

import picocli.CommandLine.Command;

/** Benchmarks that print figures; timing claims are made here, never in unit tests. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print measured figures.",
        subcommands = {EncodeBenchmark.class, MonitorBenchmark.class, DriftCalibration.class,
                ModelBenchmarkCommand.class, LatencyBenchmark.class, SwapMemoryBenchmark.class,
                SoakBenchmark.class, ReplayBenchmark.class, IngestBenchmark.class, ChaosBenchmark.class,
                ScaleBenchmark.class, ProfileBenchmark.class})
public final class BenchCommand {
}
