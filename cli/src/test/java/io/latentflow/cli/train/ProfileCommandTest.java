package io.latentflow.cli.train;

import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.model.store.ModelDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileCommandTest {

    private static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    @Test
    void writesACopyOfTheVersionWithTheProfileTheJobThenUses(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (String name : new String[] {"Autumn_s1280_000.jpg", "Kite_s768_001.jpg", "Path_s768_002.jpg"}) {
            Files.copy(PHOTOS.resolve(name), images.resolve(name));
        }
        Path modelDir = dir.resolve("model");
        try (ServingModel model = ServingModel.untrained(AutoencoderConfig.boundedF8C4(), 4, "profile-test")) {
            model.save(modelDir, "{}");
        }
        String manifestBefore = Files.readString(modelDir.resolve(ModelDirectory.MANIFEST));
        Path out = dir.resolve("profiled");

        StringWriter stdout = new StringWriter();
        int exit = new CommandLine(new ProfileCommand()).setOut(new PrintWriter(stdout))
                .execute("--model", modelDir.toString(), "--images", images.toString(), "--resolution", "64",
                        "--out", out.toString());

        assertThat(exit).isZero();
        assertThat(stdout.toString()).contains("profile-test").contains("3 images of 64 px");
        assertThat(Files.readString(modelDir.resolve(ModelDirectory.MANIFEST))).isEqualTo(manifestBefore);
        assertThat(ModelDirectory.verify(out).version()).isEqualTo("profile-test");
        ReferenceProfile stored = ReferenceProfiles.stored(ModelLocation.of(out)).orElseThrow();
        assertThat(stored.modelVersion()).isEqualTo("profile-test");
        assertThat(stored.imageSize()).isEqualTo(64);
        assertThat(stored.source()).isEqualTo("3 images of images (written by ./latentflow profile)");
        // EXPOSURE's levels, read from the same pixels: a profile made from images always has them
        assertThat(stored.exposure().images()).isEqualTo(3);
        assertThat(stored.exposure().darkestHighlight()).isBetween(0.0, 1.0);
        // the empty metrics.json of a model saved without validation (an imported VAE's) gets the images' PSNRs
        ValidationPsnr validation = ReferenceProfiles.storedValidationPsnr(ModelLocation.of(out), 64).orElseThrow();
        assertThat(validation.images()).isEqualTo(3);
        assertThat(validation.median()).isBetween(1.0, 60.0);
        assertThat(ReferenceProfiles.resolve(ModelLocation.of(out), 64, dir.resolve("unused")).toJson())
                .as("the job takes the stored profile without looking for reference images")
                .isEqualTo(stored.toJson());
    }
}
