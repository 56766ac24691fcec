package io.latentflow.infra;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The embedded KRaft broker as a process of its own ({@code cluster up --with-kafka}): its log under
 * {@code <stateDir>/kafka}, on the ports it is given, so that a restart after a SIGKILL is the same broker at the same
 * address with the same topics, records and transactions.
 */
public final class KafkaBrokerProcess {

    private KafkaBrokerProcess() {
    }

    /** Starts the broker process and returns once it serves clients and the pipeline's topics exist. */
    public static Process start(Path stateDir, int brokerPort, int controllerPort, String classpath,
                                Duration timeout) throws IOException {
        return JavaProcess.startServer(stateDir, "kafka", classpath, KafkaBrokerProcess.class,
                List.of(stateDir.toAbsolutePath().toString(), Integer.toString(brokerPort),
                        Integer.toString(controllerPort)), timeout);
    }

    /** {@code STATE_DIR BROKER_PORT CONTROLLER_PORT READY_FILE}: serves until the process is stopped. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: KafkaBrokerProcess STATE_DIR BROKER_PORT CONTROLLER_PORT"
                    + " READY_FILE");
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]));
        kafka.createPipelineTopics();
        JavaProcess.ready(Path.of(args[3]), kafka);
    }
}
