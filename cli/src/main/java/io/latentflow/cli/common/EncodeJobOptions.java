package io.latentflow.cli.common;

import picocli.CommandLine.Mixin;

/**
 * What every command that runs the encode job takes (demo, run, the pipeline benchmarks): where Kafka, S3 and Flink
 * are, and how the job encodes.
 */
public final class EncodeJobOptions {

    @Mixin
    public StackOptions stack = new StackOptions();

    @Mixin
    public EncodeOptions encode = new EncodeOptions();
}
