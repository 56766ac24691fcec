package io.latentflow.cli.bench.support;

import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.schemas.Topics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Whether latents flow: the committed end of the {@code latents} topic (its last stable offsets, summed over the
 * partitions), which moves only when an encode transaction commits, so a job that runs but cannot commit (its storage
 * down, its checkpoints failing) does not count as flowing.
 */
public final class LatentsFlow {

    private static final Duration POLL = Duration.ofMillis(500);

    private LatentsFlow() {
    }

    /** The committed end of {@code latents} now; -1 when the broker does not answer within a few seconds. */
    public static long committedEnd(String bootstrap) {
        try (CommittedTopicReader reader = new CommittedTopicReader(quickClient(bootstrap))) {
            return reader.endOffsets(Topics.LATENTS).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException brokerDown) {
            return -1;
        }
    }

    /**
     * Waits until the committed end of {@code latents} passes {@code before}; returns the nanoTime it did, or throws
     * after {@code timeout}.
     */
    public static long awaitGrowthPast(String bootstrap, long before, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (committedEnd(bootstrap) > before) {
                return System.nanoTime();
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("no latents were committed for " + timeout + " after the fault (the committed"
                + " end of '" + Topics.LATENTS + "' stayed at " + before + "): see the service's and the cluster's logs");
    }

    /** A client that gives up in seconds, not the minute a consumer waits for a broker by default. */
    private static Properties quickClient(String bootstrap) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "4000");
        return props;
    }
}
