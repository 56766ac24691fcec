package io.latentflow.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.yml} and {@code infra/k8s/} run the job jar the README describes: its file, its main class and
 * its arguments as the README's {@code flink run} block gives them (read from the README, not copied here), images
 * pinned by version, S3 credentials from the environment only, and the GPU task managers configured for Flink's
 * external resource framework. Neither is run here (no Docker engine, no Kubernetes): this is what can be checked
 * without them.
 */
class DeploymentDescriptionsTest {

    private static final Path HOME = Path.of(System.getProperty("latentflow.home"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String GPU_DRIVER_FACTORY = "org.apache.flink.externalresource.gpu.GPUDriverFactory";

    private final ReadmeJobJar readme = ReadmeJobJar.read(HOME.resolve("README.md"));
    private final JsonNode compose = yaml(HOME.resolve("docker-compose.yml"));
    private final JsonNode flinkDeployment = yaml(HOME.resolve("infra/k8s/flink-deployment.yaml"));

    @Test
    void theReadmeNamesAJobJarAMainClassThatExistsAndItsArguments() {
        assertThat(readme.jarPath()).endsWith("-job.jar");
        assertThat(HOME.resolve("flink-jobs/src/main/java/" + readme.mainClass().replace('.', '/') + ".java"))
                .isRegularFile();
        assertThat(readme.required()).containsKeys("kafka", "s3-endpoint");
        assertThat(readme.credentialVariables()).hasSize(2).allMatch(v -> v.startsWith("LATENTFLOW_S3_"));
    }

    @Test
    void composeSubmitsTheMountedJobJarWithTheReadmesMainClassAndArguments() {
        JsonNode submitter = compose.get("services").get("job-submitter");
        List<String> command = strings(submitter.get("command"));
        int jar = indexOfJar(command);
        String jarInContainer = command.get(jar);

        assertThat(command.get(command.indexOf("-c") + 1)).isEqualTo(readme.mainClass());
        assertThat(strings(submitter.get("volumes")))
                .contains("./" + readme.jarPath() + ":" + jarInContainer + ":ro");
        assertTheReadmesArguments(command.subList(jar + 1, command.size()), "docker-compose.yml");
        assertThat(submitter.get("environment").has(readme.credentialVariables().get(0))).isTrue();
        assertThat(submitter.get("environment").has(readme.credentialVariables().get(1))).isTrue();
    }

    @Test
    void theFlinkDeploymentRunsTheJobJarOfItsImageWithTheReadmesMainClassAndArguments() throws IOException {
        JsonNode job = flinkDeployment.get("spec").get("job");
        String jarUri = job.get("jarURI").asText();

        assertThat(flinkDeployment.get("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(flinkDeployment.get("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(jarUri).startsWith("local:///").endsWith("/" + readme.jarFileName());
        assertThat(job.get("entryClass").asText()).isEqualTo(readme.mainClass());
        assertTheReadmesArguments(strings(job.get("args")), "infra/k8s/flink-deployment.yaml");
        assertThat(Files.readAllLines(HOME.resolve("infra/k8s/Dockerfile")))
                .as("the image the FlinkDeployment runs carries the job jar where jarURI points")
                .contains("COPY " + readme.jarPath() + " " + jarUri.substring("local://".length()));
    }

    @Test
    void theFlinkDeploymentReadsTheS3CredentialsFromASecretIntoTheEnvironment() {
        JsonNode jobManager = mainContainer(flinkDeployment.get("spec").get("jobManager"));
        Map<String, JsonNode> env = new LinkedHashMap<>();
        jobManager.get("env").forEach(variable -> env.put(variable.get("name").asText(), variable));

        assertThat(env).containsKeys(readme.credentialVariables().toArray(String[]::new));
        for (String variable : readme.credentialVariables()) {
            assertThat(env.get(variable).at("/valueFrom/secretKeyRef/name").asText()).as(variable).isNotBlank();
            assertThat(env.get(variable).has("value")).as(variable + " is not written in the manifest").isFalse();
        }
    }

    @Test
    void everyImageIsPinnedByVersion() throws IOException {
        List<String> images = new ArrayList<>();
        compose.get("services").forEach(service -> images.add(service.get("image").asText()));
        images.add(flinkDeployment.get("spec").get("image").asText());
        Files.readAllLines(HOME.resolve("infra/k8s/Dockerfile")).stream().filter(l -> l.startsWith("FROM "))
                .forEach(line -> images.add(line.substring("FROM ".length()).trim()));

        assertThat(images).hasSizeGreaterThan(5).allSatisfy(image -> {
            String tag = image.substring(image.lastIndexOf('/') + 1);
            assertThat(tag).as(image).contains(":");
            assertThat(tag.substring(tag.indexOf(':') + 1)).as(image).isNotBlank().isNotEqualToIgnoringCase("latest");
        });
    }

    @Test
    void composeHasAGpuTaskManagerWithACudaLibtorchNvidiaDevicesAndTheExternalResourceFramework() throws IOException {
        JsonNode gpu = compose.get("services").get("taskmanager-gpu");
        JsonNode device = gpu.at("/deploy/resources/reservations/devices/0");
        JsonNode flinkProperties = YAML.readTree(gpu.get("environment").get("FLINK_PROPERTIES").asText());

        assertThat(strings(gpu.get("profiles"))).contains("gpu");
        assertThat(device.get("driver").asText()).isEqualTo("nvidia");
        assertThat(strings(device.get("capabilities"))).contains("gpu");
        assertThat(gpu.get("environment").get("PYTORCH_LIBRARY_PATH").asText()).isNotBlank();
        assertTheExternalResourceFramework(flinkProperties);
        assertThat(compose.get("services").get("taskmanager").get("volumes").toString())
                .as("the CPU task manager has PyTorch's CPU native library in Flink's lib/")
                .contains("pytorch-native-cpu").contains(":/opt/flink/lib/");
    }

    @Test
    void theFlinkDeploymentsTaskManagersGetNvidiaGpusACudaLibtorchAndTheExternalResourceFramework() {
        JsonNode spec = flinkDeployment.get("spec");
        JsonNode taskManager = mainContainer(spec.get("taskManager"));
        List<String> env = new ArrayList<>();
        taskManager.get("env").forEach(variable -> env.add(variable.get("name").asText()));

        assertThat(taskManager.at("/resources/limits/nvidia.com~1gpu").asInt()).isPositive();
        assertThat(env).contains("PYTORCH_LIBRARY_PATH");
        assertTheExternalResourceFramework(spec.get("flinkConfiguration"));
        assertThat(spec.get("flinkConfiguration").get("external-resource.gpu.kubernetes.config-key").asText())
                .isEqualTo("nvidia.com/gpu");
    }

    private void assertTheReadmesArguments(List<String> args, String where) {
        Map<String, String> given = ReadmeJobJar.options(args);
        assertThat(given).as(where + ": the README's required arguments").containsKeys(
                readme.required().keySet().toArray(String[]::new));
        assertThat(readme.all()).as(where + ": only arguments the README lists").containsKeys(
                given.keySet().toArray(String[]::new));
        given.forEach((name, value) -> assertThat(value == null).as(where + ": --" + name + " takes a value as in"
                + " the README").isEqualTo(readme.all().get(name) == null));
        assertThat(String.join(" ", args)).as(where + ": no credential on the command line")
                .doesNotContainIgnoringCase("secret").doesNotContainIgnoringCase("access-key");
    }

    private static void assertTheExternalResourceFramework(JsonNode config) {
        assertThat(config.get("external-resources").asText()).isEqualTo("gpu");
        assertThat(config.get("external-resource.gpu.driver-factory.class").asText()).isEqualTo(GPU_DRIVER_FACTORY);
        assertThat(config.get("external-resource.gpu.amount").asText()).isNotBlank();
        assertThat(config.get("external-resource.gpu.param.discovery-script.path").asText())
                .contains("plugins/external-resource-gpu/");
    }

    private int indexOfJar(List<String> command) {
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).endsWith("/" + readme.jarFileName())) {
                return i;
            }
        }
        throw new AssertionError("docker-compose.yml's job-submitter runs no " + readme.jarFileName() + ": " + command);
    }

    private static JsonNode mainContainer(JsonNode role) {
        for (JsonNode container : role.at("/podTemplate/spec/containers")) {
            if (container.get("name").asText().equals("flink-main-container")) {
                return container;
            }
        }
        throw new AssertionError("no flink-main-container in the pod template of " + role);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    /**
     * The README's {@code flink run} block: the jar path, the options outside brackets (required) and inside them
     * (optional), each with its example value or null for a flag, the main class named in the prose and the
     * environment variables the block exports.
     */
    record ReadmeJobJar(String jarPath, String mainClass, Map<String, String> required, Map<String, String> all,
                        List<String> credentialVariables) {

        private static final Pattern FENCE = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL);
        private static final Pattern MAIN_CLASS = Pattern.compile("main class is `([\\w.]+)`");
        private static final Pattern TOKEN = Pattern.compile("\\[([^]]*)]|(\\S+)");
        private static final Pattern EXPORT = Pattern.compile("\\b([A-Z][A-Z0-9_]+)=");

        static ReadmeJobJar read(Path readme) {
            String text;
            try {
                text = Files.readString(readme);
            } catch (IOException e) {
                throw new AssertionError("cannot read " + readme, e);
            }
            String block = null;
            Matcher fence = FENCE.matcher(text);
            while (fence.find()) {
                if (fence.group(1).contains("flink run ")) {
                    block = fence.group(1).replace("\\\n", " ");
                    break;
                }
            }
            assertThat(block).as("README.md has a bash block with `flink run <jar> ...`").isNotNull();
            Matcher mainClass = MAIN_CLASS.matcher(text);
            assertThat(mainClass.find()).as("README.md says \"main class is `...`\"").isTrue();

            String run = null;
            List<String> variables = new ArrayList<>();
            for (String line : block.split("\n")) {
                String code = line.replaceAll("#.*", "").trim();
                if (code.startsWith("export ")) {
                    Matcher variable = EXPORT.matcher(code);
                    while (variable.find()) {
                        variables.add(variable.group(1));
                    }
                } else if (code.startsWith("flink run ")) {
                    run = code.substring("flink run ".length());
                }
            }
            assertThat(run).isNotNull();
            Map<String, String> required = new LinkedHashMap<>();
            Map<String, String> all = new LinkedHashMap<>();
            String jar = null;
            List<String> plain = new ArrayList<>();
            Matcher token = TOKEN.matcher(run);
            while (token.find()) {
                if (token.group(1) != null) {
                    all.putAll(options(List.of(token.group(1).trim().split("\\s+"))));
                } else if (jar == null) {
                    jar = token.group(2);
                } else {
                    plain.add(token.group(2));
                }
            }
            required.putAll(options(plain));
            all.putAll(required);
            return new ReadmeJobJar(jar, mainClass.group(1), required, all, variables);
        }

        /** {@code --name value} and {@code --flag} tokens as name -> value (null for a flag). */
        static Map<String, String> options(List<String> tokens) {
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                assertThat(token).as("an option in " + tokens).startsWith("--");
                boolean valued = i + 1 < tokens.size() && !tokens.get(i + 1).startsWith("--");
                options.put(token.substring(2), valued ? tokens.get(++i) : null);
            }
            return options;
        }

        String jarFileName() {
            return Path.of(jarPath).getFileName().toString();
        }
    }
}
