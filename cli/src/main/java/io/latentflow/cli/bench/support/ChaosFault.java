package io.latentflow.cli.bench.support;

import io.latentflow.cli.stack.ClusterServices.Part;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A fault of {@code bench chaos}: which part of the cluster is SIGKILLed, and by which name the option gives it. */
public enum ChaosFault {
    TM_KILL("tm-kill", Part.TASKMANAGER),
    JM_KILL("jm-kill", Part.JOBMANAGER),
    KAFKA_KILL("kafka-kill", Part.KAFKA),
    S3_OUTAGE("s3-outage", Part.S3),
    ZK_KILL("zk-kill", Part.ZOOKEEPER);

    private final String option;
    private final Part part;

    ChaosFault(String option, Part part) {
        this.option = option;
        this.part = part;
    }

    public Part part() {
        return part;
    }

    public static ChaosFault of(String option) {
        for (ChaosFault fault : values()) {
            if (fault.option.equals(option)) {
                return fault;
            }
        }
        throw new IllegalArgumentException("'" + option + "' is no fault of bench chaos: use "
                + Arrays.stream(values()).map(ChaosFault::toString).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return option;
    }
}
