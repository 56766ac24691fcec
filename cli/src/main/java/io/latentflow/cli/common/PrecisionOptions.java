package io.latentflow.cli.common;

import io.latentflow.model.Precision;
import io.latentflow.model.ServingModel;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --precision fp32|bf16|auto} of the commands that run a job's models ({@code run}, {@code replay},
 * {@code demo}): what their convolutions compute in ({@link Precision}). The {@code latentflow} launcher starts the
 * process in oneDNN's bf16 math for {@code bf16} and out of it otherwise; that mode belongs to the process, so bf16
 * reaches the models only where the job's TaskManager is this process (the embedded Flink).
 */
public final class PrecisionOptions {

    @Option(names = "--precision", defaultValue = "auto", paramLabel = "fp32|bf16|auto", converter = Parse.class,
            description = "What the models' convolutions compute in (default ${DEFAULT-VALUE}: fp32 wherever bf16 was"
                    + " not measured to pay, which is every CPU measured so far, saying why). bf16 only with the"
                    + " embedded Flink, not with --cluster or --flink.")
    Precision precision = Precision.AUTO;

    /**
     * The precision the job's models compute in, and why.
     *
     * @param embeddedFlink whether the job runs in this process's MiniCluster; a cluster's TaskManagers are JVMs of
     *                      their own, started without oneDNN's bf16 math
     * @throws UnsupportedOperationException where the models cannot compute in the precision asked for, saying what
     *                                       to do instead
     */
    public Precision.Choice resolve(boolean embeddedFlink) {
        if (precision == Precision.BF16 && !embeddedFlink) {
            throw new UnsupportedOperationException("--precision bf16 runs only with the embedded Flink: the"
                    + " TaskManagers of a cluster (--cluster, --flink) are JVMs of their own, started without oneDNN's"
                    + " bf16 math; use --precision auto or fp32 (bf16 measured no faster on a CPU without AMX)");
        }
        return precision.resolve(ServingModel.defaultDevice());
    }

    /** {@code fp32}, {@code bf16} or {@code auto}; anything else is a usage error that lists them. */
    static final class Parse implements CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
