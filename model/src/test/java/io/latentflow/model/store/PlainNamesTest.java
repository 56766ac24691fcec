package io.latentflow.model.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlainNamesTest {

    private static final Path DIR = Path.of("/tmp/work");

    @Test
    void plainNamesResolveInsideTheFolder() {
        assertThat(PlainNames.resolve(DIR, "request-3f2c-41", "id")).isEqualTo(DIR.resolve("request-3f2c-41"));
        assertThat(PlainNames.resolve(DIR, "part-0_a.b.png", "id").getParent()).isEqualTo(DIR);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "../../etc/passwd", "/etc/passwd", "a/b", "a/../../b", ".hidden", "",
            "a\\..\\b", "x\u0000y", "-rf"})
    void namesThatCouldLeaveTheFolderAreRefusedNamingThem(String name) {
        assertThatThrownBy(() -> PlainNames.resolve(DIR, name, "tar member"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tar member '" + name + "' is not a plain name");
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> PlainNames.resolve(DIR, null, "id")).isInstanceOf(IllegalArgumentException.class);
    }
}
