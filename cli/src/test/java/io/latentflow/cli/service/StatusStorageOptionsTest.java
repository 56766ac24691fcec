package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.cli.Latentflow;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code status} reaches an external store the way the other client commands do: an https endpoint whose certificate
 * a private CA signed, and its keys, given by the same options.
 */
class StatusStorageOptionsTest {

    @Test
    void statusTakesTheSharedKafkaAndObjectStorageOptions() {
        CommandLine.ParseResult parsed = Latentflow.commandLine().parseArgs("status", "--kafka", "broker:9093",
                "--kafka-config", "client.properties", "--s3-endpoint", "https://store:9000", "--s3-access-key", "key",
                "--s3-secret-key-file", "secret", "--s3-ca-file", "ca.pem", "--bucket", "b", "--state-dir", "state");

        CommandLine.ParseResult status = parsed.subcommand();
        assertThat(status.commandSpec().name()).isEqualTo("status");
        assertThat(status.matchedOptionValue("--s3-ca-file", (Object) null)).hasToString("ca.pem");
        assertThat(status.matchedOptionValue("--s3-endpoint", "")).isEqualTo("https://store:9000");
    }
}
