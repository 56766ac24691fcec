package io.latentflow.registry.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A sample's file name comes from a tar member and a record field: neither may climb out of the download folder. */
class TrainingSampleFileNamesTest {

    @Test
    void theImagesOwnFileNameIsKept() {
        assertThat(TrainingSampleStore.fileName("photos/lake_s1_003.jpg", "k1")).contains("lake_s1_003.png");
    }

    @Test
    void anIdWithoutAPlainNameFallsBackToThePlainMemberName() {
        assertThat(TrainingSampleStore.fileName("..", "images-0-17")).contains("images-0-17.png");
        assertThat(TrainingSampleStore.fileName("/", "images-0-17")).contains("images-0-17.png");
    }

    @Test
    void aHostileMemberNameWithAHostileIdGivesNoFileName() {
        assertThat(TrainingSampleStore.fileName("..", "../../home/user/.bashrc")).isEmpty();
        assertThat(TrainingSampleStore.fileName("x/", "/etc/cron.d/job")).isEmpty();
    }

    @Test
    void anIdThatLooksLikeAPathKeepsOnlyItsLastPlainPart() {
        assertThat(TrainingSampleStore.fileName("../../etc/passwd", "k")).contains("passwd.png");
    }
}
