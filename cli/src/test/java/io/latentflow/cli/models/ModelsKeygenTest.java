package io.latentflow.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.SigningKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class ModelsKeygenTest {

    @Test
    void keygenWritesAPairNamedByItsKeyIdThatPublishCanSignWith(@TempDir Path dir) throws Exception {
        StringWriter stdout = new StringWriter();

        int exit = Latentflow.commandLine().setOut(new PrintWriter(stdout))
                .execute("models", "keygen", "--out", dir.resolve("keys").toString(), "--json");

        assertThat(exit).isZero();
        JsonNode printed = new ObjectMapper().readTree(stdout.toString());
        Path privateKey = Path.of(printed.get("privateKey").asText());
        Path publicKey = Path.of(printed.get("publicKey").asText());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
        assertThat(SigningKey.read(privateKey).keyId()).isEqualTo(printed.get("keyId").asText())
                .isEqualTo(SigningKeys.keyId(SigningKeys.readPublic(publicKey)));
    }

    @Test
    void publishRefusesAKeyFileItCannotNameBeforeContactingAnything(@TempDir Path dir) throws Exception {
        Path renamed = Files.copy(SigningKeys.generate(dir.resolve("keys")).privateKey(), dir.resolve("mine.pem"));
        StringWriter stderr = new StringWriter();

        int exit = Latentflow.commandLine().setErr(new PrintWriter(stderr))
                .execute("models", "publish", Path.of(System.getProperty("latentflow.home"),
                        "model/src/main/resources/io/latentflow/model/default").toString(),
                        "--sign-key", renamed.toString(), "--kafka", "127.0.0.1:1");

        assertThat(exit).isNotZero();
        assertThat(stderr.toString()).contains("--sign-key").contains("is not named '<keyId>.key'");
    }
}
