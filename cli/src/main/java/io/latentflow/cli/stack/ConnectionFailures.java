package io.latentflow.cli.stack;

import io.latentflow.connections.KafkaSettings;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * What a refused secure connection means for the user: which side refused (Kafka's login, Kafka's SSL handshake, the
 * object store's certificate) and which setting to check, instead of a client library's exception chain.
 */
public final class ConnectionFailures {

    private ConnectionFailures() {
    }

    /** A refusal already explained, with the address it came from. */
    static final class Refused extends IllegalStateException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static IllegalStateException kafkaRefused(KafkaSettings kafka, AuthenticationException refused) {
        return new Refused(describe(refused).replaceFirst("^Kafka", "Kafka at " + kafka.bootstrapServers()), refused);
    }

    /** The one-line explanation of a refused Kafka login, Kafka SSL handshake or https certificate in {@code failure}'s causes. */
    public static Optional<String> explain(Throwable failure) {
        if (failure instanceof Refused explained) {
            return Optional.of(explained.getMessage());
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthenticationException refused) {
                return Optional.of(describe(refused));
            }
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException ssl) {
                return Optional.of("SSL handshake failed: " + innermost(ssl) + " (an https object store whose"
                        + " certificate a private authority signed needs --s3-ca-file with that authority's PEM)");
            }
        }
        return Optional.empty();
    }

    private static String describe(AuthenticationException refused) {
        if (refused instanceof SslAuthenticationException) {
            return "Kafka SSL handshake failed: " + innermost(refused) + " (check ssl.truststore.* in --kafka-config:"
                    + " it must trust the authority that signed the broker's certificate)";
        }
        if (refused instanceof SaslAuthenticationException) {
            return "Kafka authentication failed: " + refused.getMessage() + " (check sasl.mechanism and the user and"
                    + " password in sasl.jaas.config of --kafka-config)";
        }
        return "Kafka refused the connection: " + refused.getMessage() + " (check --kafka-config)";
    }

    private static String innermost(Throwable failure) {
        Throwable innermost = failure;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        return innermost.getMessage() == null ? innermost.toString() : innermost.getMessage();
    }
}
