package io.latentflow.cli.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.Latentflow;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.SigningKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code models list} says who signed each version, and with {@code --trusted-keys} whether a service with those
 * keys would serve it, with the reason it would give when not.
 */
class ModelsListSignaturesTest {

    private static final String UNSIGNED = "bounded-f8c8-0000000000cc";

    @TempDir
    Path work;

    @Test
    void eachVersionShowsItsSignerAndWhetherTheTrustedKeysAcceptIt() throws Exception {
        SigningKeys.Generated key = SigningKeys.generate(work.resolve("keys"));
        Path trusted = Files.createDirectories(work.resolve("trusted"));
        Files.copy(key.publicKey(), trusted.resolve(key.publicKey().getFileName()));
        Path signedDir = ServingModel.extractDefault(work.resolve("signed"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
             EmbeddedS3 s3 = EmbeddedS3.start(null, "latentflow");
             ModelRegistry registry = new ModelRegistry(kafka.settings(), s3.settings())) {
            String signed = registry.publish(signedDir, Map.of(), Optional.of(SigningKey.read(key.privateKey())));
            registry.publish(anotherVersion(signedDir, work.resolve(UNSIGNED)));
            Path secret = Files.writeString(work.resolve("secret"), s3.settings().secretKey());
            String[] stack = {"--kafka", kafka.settings().bootstrapServers(), "--s3-endpoint", s3.endpoint(),
                    "--s3-access-key", s3.settings().accessKey(), "--s3-secret-key-file", secret.toString(),
                    "--state-dir", work.resolve("state").toString()};

            JsonNode checked = new ObjectMapper().readTree(list(stack, "--json", "--trusted-keys", trusted.toString()));
            JsonNode plain = new ObjectMapper().readTree(list(stack, "--json"));
            String table = list(stack, "--trusted-keys", trusted.toString());

            Map<String, JsonNode> rows = new LinkedHashMap<>();
            checked.forEach(row -> rows.put(row.get("version").asText(), row));
            assertThat(rows.get(signed).get("signedBy").asText()).isEqualTo(key.keyId());
            assertThat(rows.get(signed).get("signatureTrusted").asBoolean()).isTrue();
            assertThat(rows.get(signed).get("signatureRefusal").isNull()).isTrue();
            assertThat(rows.get(UNSIGNED).get("signedBy").isNull()).isTrue();
            assertThat(rows.get(UNSIGNED).get("signatureTrusted").asBoolean()).isFalse();
            assertThat(rows.get(UNSIGNED).get("signatureRefusal").asText())
                    .contains("model version " + UNSIGNED + " is unsigned");
            assertThat(plain).allSatisfy(row -> assertThat(row.get("signatureTrusted").isNull())
                    .as("not checked without --trusted-keys").isTrue());
            assertThat(table).contains("SIGNED BY").contains(key.keyId() + " trusted").contains("unsigned REFUSED");
        }
    }

    private static String list(String[] stack, String... options) {
        String[] args = new String[stack.length + options.length + 2];
        args[0] = "models";
        args[1] = "list";
        System.arraycopy(stack, 0, args, 2, stack.length);
        System.arraycopy(options, 0, args, 2 + stack.length, options.length);
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int exit = Latentflow.commandLine().setOut(new PrintWriter(stdout)).setErr(new PrintWriter(stderr))
                .execute(args);
        assertThat(exit).as(stderr.toString()).isZero();
        return stdout.toString();
    }

    /** The same weights under another version id, with a manifest that matches. */
    private static Path anotherVersion(Path from, Path dir) throws Exception {
        Map<String, ModelDirectory.FileContent> files = new LinkedHashMap<>();
        for (Manifest.FileEntry file : ModelDirectory.verify(from).files()) {
            files.put(file.path(), target -> Files.copy(from.resolve(file.path()), target));
        }
        ModelDirectory.saveFiles(dir, UNSIGNED, null, files);
        return dir;
    }
}
