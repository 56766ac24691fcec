package io.latentflow.jobs.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request id comes from a Kafka record, and the folder it names is deleted recursively. */
class FineTuneWorkFolderTest {

    @TempDir
    Path temp;

    @Test
    void anOrdinaryIdNamesAFolderInsideTheWorkFolder() throws Exception {
        Path root = temp.resolve("work");
        assertThat(FineTuneRun.workFolder(root, "3f2c9a1e-0b7d-4c55-9d0e-2f1f0c7b9a10"))
                .isEqualTo(root.resolve("request-3f2c9a1e-0b7d-4c55-9d0e-2f1f0c7b9a10"));
        assertThat(FineTuneRun.workFolder(root, "drift-bounded-f8c8-1-1767225600000").getParent()).isEqualTo(root);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x/../../victim", "/../../victim", "a/b", "x\u0000"})
    void aHostileIdIsRefusedAndNothingOutsideIsTouched(String id) throws Exception {
        Path victim = Files.createDirectories(temp.resolve("victim"));
        Files.writeString(victim.resolve("keep.txt"), "mine");

        assertThatThrownBy(() -> FineTuneRun.workFolder(temp.resolve("work"), id))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("training request id");
        assertThat(victim.resolve("keep.txt")).hasContent("mine");
    }
}
