package io.latentflow.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentflow.cli.Latentflow;
import io.latentflow.model.ServingModel;
import io.latentflow.registry.SigningKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo --model DIR --trusted-keys}: an unsigned directory is refused before anything starts. */
class DemoTrustedKeysTest {

    @Test
    void anUnsignedModelDirectoryIsRefusedWithTheServicesReason(@TempDir Path work) throws Exception {
        SigningKeys.Generated key = SigningKeys.generate(work.resolve("keys"));
        Path trusted = Files.createDirectories(work.resolve("trusted"));
        Files.copy(key.publicKey(), trusted.resolve(key.publicKey().getFileName()));
        Path model = ServingModel.extractDefault(work.resolve("model"));
        StringWriter stderr = new StringWriter();

        int exit = Latentflow.commandLine().setErr(new PrintWriter(stderr)).execute("demo", "--model",
                model.toString(), "--trusted-keys", trusted.toString(), "--state-dir", work.resolve("state").toString(),
                "--no-dashboard");

        assertThat(exit).isEqualTo(1);
        assertThat(stderr.toString()).contains("is unsigned, and this service serves only versions signed by one of"
                + " its 1 trusted keys");
        assertThat(work.resolve("state")).doesNotExist();
    }
}
