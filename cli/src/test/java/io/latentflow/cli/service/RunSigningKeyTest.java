package io.latentflow.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.cli.Latentflow;
import io.latentflow.registry.SigningKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with trusted keys refuses, before it starts anything, a continuous loop whose candidates its own
 * encoders would REJECT: drift-triggered fine-tunes with no key to sign them, or a key the service does not trust.
 */
class RunSigningKeyTest {

    @TempDir
    Path work;

    private SigningKeys.Generated trustedKey;
    private Path trusted;

    @BeforeEach
    void oneTrustedKey() throws Exception {
        trustedKey = SigningKeys.generate(work.resolve("keys"));
        trusted = Files.createDirectories(work.resolve("trusted"));
        Files.copy(trustedKey.publicKey(), trusted.resolve(trustedKey.publicKey().getFileName()));
    }

    @Test
    void autoFinetuneWithTrustedKeysButNoSigningKeyIsRefusedInOneLine() {
        StringWriter stderr = new StringWriter();

        int exit = run(stderr, "--trusted-keys", trusted.toString(), "--auto-finetune");

        assertThat(exit).isEqualTo(RunCommand.REFUSED);
        assertThat(stderr.toString()).hasLineCount(1).contains("--auto-finetune with --trusted-keys needs --sign-key");
        assertThat(work.resolve("state")).doesNotExist();
    }

    @Test
    void aSigningKeyTheServiceDoesNotTrustIsRefused() throws Exception {
        Path foreign = SigningKeys.generate(work.resolve("foreign")).privateKey();
        StringWriter stderr = new StringWriter();

        int exit = run(stderr, "--trusted-keys", trusted.toString(), "--auto-finetune", "--sign-key",
                foreign.toString());

        assertThat(exit).isNotZero();
        assertThat(stderr.toString()).contains("is not among the trusted keys [" + trustedKey.keyId() + "]");
        assertThat(work.resolve("state")).doesNotExist();
    }

    private int run(StringWriter stderr, String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "run";
        args[1] = "--state-dir";
        args[2] = work.resolve("state").toString();
        System.arraycopy(options, 0, args, 3, options.length);
        return Latentflow.commandLine().setErr(new PrintWriter(stderr)).execute(args);
    }
}
