package io.latentflow.cli.stack;

import io.latentflow.connections.KafkaSettings;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * One bounded round trip to Kafka before a command starts work on it. Without it a refused login would surface late
 * (a Flink job restarting its source forever), and a client speaking the wrong protocol to a listener would wait out
 * every client's own minute-long timeouts.
 */
public final class KafkaConnectionCheck {

    static final int TIMEOUT_S = 20;

    private KafkaConnectionCheck() {
    }

    /** @throws IllegalStateException saying what failed (authentication, the SSL handshake, no answer) and what to check */
    public static void verify(KafkaSettings kafka) {
        Properties config = kafka.clientProperties();
        config.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "latentflow-connection-check");
        config.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_S * 1000));
        config.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_S * 1000));
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to Kafka at " + kafka.bootstrapServers(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException refused) {
                throw ConnectionFailures.kafkaRefused(kafka, refused);
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException late) {
                // the admin client's own timeout, equal to ours, may fire first: the same "no answer"
                throw noAnswer(kafka, late);
            }
            throw new IllegalStateException("cannot reach Kafka at " + kafka.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw noAnswer(kafka, e);
        }
    }

    private static IllegalStateException noAnswer(KafkaSettings kafka, Exception cause) {
        return new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " did not answer within "
                + TIMEOUT_S + " s: check that it runs there and that security.protocol"
                + describeProtocol(kafka) + " matches that listener (--kafka-config)", cause);
    }

    private static String describeProtocol(KafkaSettings kafka) {
        return " (" + kafka.clientConfig().getOrDefault("security.protocol", "PLAINTEXT") + ")";
    }
}
