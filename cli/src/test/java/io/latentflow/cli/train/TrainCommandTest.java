package io.latentflow.cli.train;

import io.latentflow.cli.Latentflow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TrainCommandTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @Test
    void aDiscriminatorScheduleWithoutTheDiscriminatorIsAUsageErrorBeforeAnyTraining(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(err)).execute("train", "--images",
                PHOTOS.toString(), "--steps", "1", "--discriminator-start", "10", "--out", dir.resolve("m").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--discriminator-start and --discriminator-lead need --discriminator");
        assertThat(Files.exists(dir.resolve("m"))).isFalse();
    }

    @Test
    void aLeadLongerThanTheStartIsAUsageErrorNamingBoth(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int exit = Latentflow.commandLine().setErr(new PrintWriter(err)).execute("train", "--images",
                PHOTOS.toString(), "--steps", "1", "--discriminator", "--discriminator-start", "10",
                "--discriminator-lead", "20", "--out", dir.resolve("m").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("startStep 10").contains("discriminatorLead 20");
    }
}
