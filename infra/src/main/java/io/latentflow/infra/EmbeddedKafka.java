package io.latentflow.infra;

import io.latentflow.connections.KafkaSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import io.latentflow.schemas.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in KRaft mode, in this JVM: one node that is both broker and controller,
 * listening on free loopback ports, its log under {@code <stateDir>/kafka}. Restarting on the
 * same state folder keeps the topics and records.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /**
     * Longest transaction the broker accepts. Flink's exactly-once KafkaSink asks for one hour by
     * default; a job asking more than this maximum fails to start its producers.
     */
    public static final long TRANSACTION_MAX_TIMEOUT_MS = TimeUnit.HOURS.toMillis(1);

    private static final long READY_TIMEOUT_S = 60;

    /** One broker: every internal topic has one replica, and few partitions so it is created fast. */
    private static final String SINGLE_NODE = """
            default.replication.factor=1
            offsets.topic.replication.factor=1
            offsets.topic.num.partitions=1
            transaction.state.log.replication.factor=1
            transaction.state.log.min.isr=1
            transaction.state.log.num.partitions=1
            share.coordinator.state.topic.replication.factor=1
            share.coordinator.state.topic.min.isr=1
            min.insync.replicas=1
            group.initial.rebalance.delay.ms=0
            """;

    /** Sized for a laptop or a 2-core CI runner, not for throughput records. */
    private static final String SMALL_MACHINE = """
            num.network.threads=2
            num.io.threads=2
            background.threads=2
            num.recovery.threads.per.data.dir=1
            log.cleaner.threads=1
            num.replica.fetchers=1
            """;

    private final KafkaRaftServer server;
    private final Path stateDir;
    private final SaslSslListener secureOrNull;
    private final KafkaSettings settings;
    private final int brokerPort;
    private final int controllerPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, Path stateDir, SaslSslListener secureOrNull, int brokerPort,
                          int controllerPort) {
        this.server = server;
        this.stateDir = stateDir;
        this.secureOrNull = secureOrNull;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.settings = new KafkaSettings("127.0.0.1:" + brokerPort);
    }

    /** Formats {@code <stateDir>/kafka} if it is new (a new cluster id), starts the broker and waits until it serves clients. */
    public static EmbeddedKafka start(Path stateDir) {
        return start(stateDir, null);
    }

    /**
     * {@link #start(Path)} with a SASL_SSL listener beside the PLAINTEXT one ({@link #settings()} stays PLAINTEXT);
     * its user is created when the storage is formatted, so give it a new state folder.
     */
    public static EmbeddedKafka start(Path stateDir, SaslSslListener secureOrNull) {
        return start(stateDir, secureOrNull, FreePorts.pick(2));
    }

    /**
     * Like {@link #start(Path)}, on the ports given: a broker started again on its ports after a crash is the same
     * address to every client (the cluster's broker process).
     */
    public static EmbeddedKafka start(Path stateDir, int brokerPort, int controllerPort) {
        return start(stateDir, null, new int[] {brokerPort, controllerPort});
    }

    /**
     * Stops this broker (if it still runs) and starts it again on the same ports, listeners and log: what a broker
     * restart looks like to its clients, which reconnect to the address they know.
     */
    public EmbeddedKafka restart() {
        close();
        return start(stateDir, secureOrNull, new int[] {brokerPort, controllerPort});
    }

    private static EmbeddedKafka start(Path stateDir, SaslSslListener secureOrNull, int[] ports) {
        long started = System.nanoTime();
        Path home = stateDir.resolve("kafka");
        Path logDir = home.resolve("log");
        Properties config = brokerConfig(logDir, ports[0], ports[1]);
        if (secureOrNull != null) {
            secureOrNull.addTo(config);
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(home, config, secureOrNull == null ? List.of() : secureOrNull.formatArguments());
        }

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config), Time.SYSTEM);
        EmbeddedKafka kafka = new EmbeddedKafka(server, stateDir, secureOrNull, ports[0], ports[1]);
        try {
            server.startup();
            kafka.awaitReady();
        } catch (RuntimeException e) {
            kafka.close();
            throw new IllegalStateException("Embedded Kafka did not start in " + home + ": " + e.getMessage(), e);
        }
        LOG.info("Kafka (KRaft, broker+controller) on {} in {} ms, state in {}",
                kafka.bootstrapServers(), (System.nanoTime() - started) / 1_000_000, home);
        return kafka;
    }

    private static Properties brokerConfig(Path logDir, int brokerPort, int controllerPort) {
        Properties config = new Properties();
        config.setProperty("process.roles", "broker,controller");
        config.setProperty("node.id", "1");
        // A static quorum: voters come from config, so a restart on new ports still finds its controller.
        config.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        config.setProperty("controller.listener.names", "CONTROLLER");
        config.setProperty("inter.broker.listener.name", "PLAINTEXT");
        config.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.setProperty("log.dirs", logDir.toAbsolutePath().toString());

        config.setProperty("transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT_MS));
        load(config, SINGLE_NODE);
        load(config, SMALL_MACHINE);
        return config;
    }

    private static void load(Properties config, String properties) {
        try {
            config.load(new StringReader(properties));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable broker properties", e); // a string never fails to read
        }
    }

    private static void format(Path home, Properties config, List<String> extraArguments) {
        try {
            Files.createDirectories(home);
            Path propertiesFile = home.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(propertiesFile)) {
                config.store(out, "written by EmbeddedKafka on every start; ports change each time");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<String> arguments = new java.util.ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(),
                    "-c", propertiesFile.toString()));
            arguments.addAll(extraArguments);
            String[] args = arguments.toArray(String[]::new);
            int exitCode;
            try (PrintStream printed = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exitCode = StorageTool.execute(args, printed);
            }
            if (exitCode != 0) {
                throw new IllegalStateException("Formatting Kafka storage in " + home + " failed (exit code " + exitCode
                        + "): " + output.toString(StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Kafka storage in " + home, e);
        }
    }

    private void awaitReady() {
        try (Admin admin = Admin.create(adminConfig())) {
            admin.describeCluster().nodes().get(READY_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer on " + bootstrapServers() + " within "
                    + READY_TIMEOUT_S + " s", e);
        }
    }

    private Properties adminConfig() {
        Properties config = settings.clientProperties();
        config.setProperty("client.id", "embedded-kafka-admin");
        return config;
    }

    public KafkaSettings settings() {
        return settings;
    }

    /** {@code 127.0.0.1:<port>} of the broker's client listener. */
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    int brokerPort() {
        return brokerPort;
    }

    int controllerPort() {
        return controllerPort;
    }

    /** Creates the topics that do not exist yet, each with {@code partitions} partitions and one replica. */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("A topic needs at least one partition, not " + partitions);
        }
        List<NewTopic> topics = Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) 1)
                .configs(Topics.creationConfigs(name))).toList();
        try (Admin admin = Admin.create(adminConfig())) {
            Set<String> existing = admin.listTopics().names().get(READY_TIMEOUT_S, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(topic -> !existing.contains(topic.name())).toList();
            admin.createTopics(missing).all().get(READY_TIMEOUT_S, TimeUnit.SECONDS);
            if (!missing.isEmpty()) {
                LOG.info("Kafka topics created with {} partition(s): {}", partitions,
                        missing.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics " + Arrays.toString(names), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return; // created concurrently by someone else: what we wanted
            }
            throw new IllegalStateException("Cannot create topics " + Arrays.toString(names) + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not create topics " + Arrays.toString(names) + " within "
                    + READY_TIMEOUT_S + " s", e);
        }
    }

    /** Creates the pipeline's topics that do not exist yet, with {@link LocalStack#TOPIC_PARTITIONS} partitions. */
    public void createPipelineTopics() {
        createTopics(LocalStack.TOPIC_PARTITIONS, Topics.IMAGES, Topics.LATENTS, Topics.SHARDS, Topics.DEAD_LETTERS,
                Topics.LATENT_STATS, Topics.DRIFT_ALERTS, Topics.TRAINING_REQUESTS, Topics.TRAINING_PROGRESS);
    }

    /** Stops the broker and waits until it has; calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka on {} stopped in {} ms", bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
    }
}
