package io.latentflow.cli.stack;

import io.latentflow.cli.common.StackOptions;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.infra.EmbeddedFlink;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.infra.EmbeddedS3;
import io.latentflow.infra.LocalStack;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Kafka, S3 and Flink as a command sees them: each one external when its address was given, otherwise
 * started embedded on loopback with its state under the state folder.
 */
public final class PipelineStack implements AutoCloseable {

    private final String flinkRest;
    private final KafkaSettings kafka;
    private final S3Settings s3;
    private final EnvironmentFactory environments;
    private final Optional<Path> localObjectFolder;
    private final List<AutoCloseable> started;
    private final String description;
    private final Optional<Path> kafkaConfigFile;

    @FunctionalInterface
    interface EnvironmentFactory {
        StreamExecutionEnvironment create(Configuration overrides);
    }

    private PipelineStack(KafkaSettings kafka, S3Settings s3, EnvironmentFactory environments, String flinkRest,
            Optional<Path> localObjectFolder, List<AutoCloseable> started, String description,
            Optional<Path> kafkaConfigFile) {
        this.flinkRest = flinkRest;
        this.kafka = kafka;
        this.s3 = s3;
        this.environments = environments;
        this.localObjectFolder = localObjectFolder;
        this.started = started;
        this.description = description;
        this.kafkaConfigFile = kafkaConfigFile;
    }

    public static PipelineStack open(StackOptions options) {
        Path stateDir = options.stateDir.toAbsolutePath();
        if (blank(options.kafkaBootstrap) && options.kafkaConfig.file != null) {
            throw new IllegalArgumentException("--kafka-config " + options.kafkaConfig.file + " is for an external Kafka:"
                    + " give its address with --kafka (the embedded broker speaks PLAINTEXT on loopback)");
        }
        boolean allEmbedded = blank(options.kafkaBootstrap) && options.s3.external().isEmpty()
                && blank(options.flinkRest);
        if (allEmbedded) {
            LocalStack stack = LocalStack.start(stateDir, options.s3.bucket);
            return new PipelineStack(stack.kafka().settings(), stack.s3().settings(), overrides -> stack.flink().environment(overrides),
                    stack.flink().restAddress(),
                    Optional.of(stateDir.resolve("s3").resolve(options.s3.bucket)), List.of(stack),
                    "embedded Kafka " + stack.kafka().bootstrapServers() + ", embedded S3 " + stack.s3().endpoint()
                            + ", embedded Flink " + stack.flink().restAddress() + " (state in " + stateDir + ")",
                    Optional.empty());
        }
        List<AutoCloseable> started = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        try {
            KafkaSettings kafka;
            if (blank(options.kafkaBootstrap)) {
                EmbeddedKafka embedded = EmbeddedKafka.start(stateDir.resolve("kafka"));
                started.add(embedded);
                embedded.createPipelineTopics();
                kafka = embedded.settings();
                parts.add("embedded Kafka " + kafka.bootstrapServers());
            } else {
                kafka = options.kafkaConfig.settings(options.kafkaBootstrap, null);
                KafkaConnectionCheck.verify(kafka);
                parts.add("Kafka " + kafka.bootstrapServers() + " (" + kafka.clientConfig()
                        .getOrDefault("security.protocol", "PLAINTEXT") + ")");
            }
            S3Settings s3;
            Optional<Path> localObjects = Optional.empty();
            Optional<S3Settings> external = options.s3.external();
            if (external.isEmpty()) {
                EmbeddedS3 embedded = EmbeddedS3.start(stateDir, options.s3.bucket);
                started.add(embedded);
                s3 = embedded.settings();
                localObjects = Optional.of(stateDir.resolve("s3").resolve(options.s3.bucket));
                parts.add("embedded S3 " + s3.endpoint());
            } else {
                s3 = external.get();
                ensureBucket(s3);
                parts.add("S3 " + s3.endpoint());
            }
            EnvironmentFactory environments;
            String flinkRest;
            if (blank(options.flinkRest)) {
                EmbeddedFlink flink = EmbeddedFlink.start(stateDir.resolve("flink"));
                started.add(flink);
                environments = flink::environment;
                flinkRest = flink.restAddress();
                parts.add("embedded Flink " + flink.restAddress());
            } else {
                environments = overrides -> remoteEnvironment(options.flinkRest, options.jobJar, overrides);
                flinkRest = options.flinkRest.contains("://") ? options.flinkRest : "http://" + options.flinkRest;
                parts.add("Flink " + options.flinkRest);
            }
            return new PipelineStack(kafka, s3, environments, flinkRest, localObjects, List.copyOf(started),
                    String.join(", ", parts), Optional.ofNullable(options.kafkaConfig.file).map(Path::toAbsolutePath));
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    /**
     * The running service's Kafka and object storage (from its {@code service.json}), which hold the embedded stack's
     * topics while it runs, with Flink as {@code options} say (an embedded MiniCluster by default): how a client
     * command that runs a job of its own (replay) reaches them without starting a second broker on the same state.
     */
    public static PipelineStack onService(ServiceConnections service, StackOptions options) {
        S3Settings s3 = service.s3().orElseThrow(() -> new IllegalArgumentException("the running service's"
                + " service.json names no object storage keys: give --s3-endpoint and its keys"));
        if (blank(options.flinkRest)) {
            EmbeddedFlink flink = EmbeddedFlink.start(options.stateDir.toAbsolutePath().resolve("client-flink"));
            return new PipelineStack(service.kafka(), s3, flink::environment, flink.restAddress(), Optional.empty(),
                    List.of(flink), "the running service's Kafka " + service.kafka().bootstrapServers() + " and S3 "
                    + s3.endpoint() + ", embedded Flink " + flink.restAddress(), Optional.empty());
        }
        String rest = options.flinkRest.contains("://") ? options.flinkRest : "http://" + options.flinkRest;
        return new PipelineStack(service.kafka(), s3,
                overrides -> remoteEnvironment(options.flinkRest, options.jobJar, overrides), rest, Optional.empty(),
                List.of(), "the running service's Kafka " + service.kafka().bootstrapServers() + " and S3 "
                + s3.endpoint() + ", Flink " + options.flinkRest, Optional.empty());
    }

    /**
     * The local cluster's Kafka, S3 and Flink ({@code cluster up --with-kafka --with-s3}, from its {@code cluster.json}),
     * none of them started by this command: a broker or S3 server killed under the service is started again by
     * {@code cluster restart}, and the service's clients reconnect to the same address.
     */
    public static PipelineStack onCluster(ClusterFile cluster, Path jobJar) throws java.io.IOException {
        if (cluster.kafka() == null || cluster.s3() == null) {
            throw new IllegalArgumentException("the cluster at " + cluster.rest() + " runs no "
                    + (cluster.kafka() == null ? "Kafka" : "S3") + ": start it with 'latentflow cluster up --with-kafka"
                    + " --with-s3'");
        }
        S3Settings s3 = cluster.s3().settings();
        return new PipelineStack(cluster.kafka().settings(), s3,
                overrides -> remoteEnvironment(cluster.rest(), jobJar, overrides), cluster.rest(),
                Optional.of(Path.of(cluster.s3().dataDir()).resolve(s3.bucket())), List.of(),
                "the cluster's Kafka " + cluster.kafka().bootstrap() + ", S3 " + s3.endpoint() + " and Flink "
                        + cluster.rest(), Optional.empty());
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    /** The Flink REST endpoint jobs go to, http://HOST:PORT. */
    String flinkRest() {
        return flinkRest;
    }

    public S3Settings s3() {
        return s3;
    }

    public StreamExecutionEnvironment newEnvironment() {
        return environments.create(new Configuration());
    }

    /** A new environment whose jobs get {@code overrides} on top of the stack's configuration. */
    public StreamExecutionEnvironment newEnvironment(Configuration overrides) {
        return environments.create(overrides);
    }

    /** Where the embedded S3 server keeps the bucket's objects as plain files, when it is embedded. */
    public Optional<Path> localObjectFolder() {
        return localObjectFolder;
    }

    /** The --kafka-config file of an external Kafka, which the service's clients read too. */
    public Optional<Path> kafkaConfigFile() {
        return kafkaConfigFile;
    }

    public String describe() {
        return description;
    }

    private static StreamExecutionEnvironment remoteEnvironment(String address, Path jobJar,
                                                                Configuration overrides) {
        URI rest = URI.create(address.contains("://") ? address : "http://" + address);
        if (rest.getHost() == null || rest.getPort() < 0) {
            throw new IllegalArgumentException("--flink " + address + ": expected http://HOST:PORT of the Flink REST"
                    + " endpoint");
        }
        Path jar = jobJar != null ? jobJar : JobJar.built();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("job jar " + jar + " does not exist: build it with 'mvn package' or"
                    + " give --job-jar");
        }
        Configuration conf = new Configuration();
        conf.setString("classloader.resolve-order", "parent-first");
        conf.addAll(overrides);
        return StreamExecutionEnvironment.createRemoteEnvironment(rest.getHost(), rest.getPort(), conf, jar.toString());
    }

    private static void ensureBucket(S3Settings s3) {
        MinioClient client = s3.newClient();
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(s3.bucket()).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(s3.bucket()).build());
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot reach bucket " + s3.bucket() + " at " + s3.endpoint() + ": "
                    + e.getMessage() + " (check --s3-endpoint and the keys)", e);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static void closeAll(List<AutoCloseable> components) {
        for (int i = components.size() - 1; i >= 0; i--) {
            try {
                components.get(i).close();
            } catch (Exception ignored) {
                // best effort: the first failure is what the user needs to see
            }
        }
    }

    @Override
    public void close() {
        closeAll(started);
    }
}
