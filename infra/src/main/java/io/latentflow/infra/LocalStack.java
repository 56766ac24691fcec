package io.latentflow.infra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole embedded platform under one state folder: Kafka in {@code <stateDir>/kafka} with
 * the pipeline's topics, S3 objects in {@code <stateDir>/s3/<bucket>}, Flink checkpoints in
 * {@code <stateDir>/flink}. Starting again on the same folder finds the earlier records,
 * objects and checkpoints.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** Partitions of each pipeline topic: enough for a parallelism-2 job to read with two subtasks. */
    public static final int TOPIC_PARTITIONS = 2;

    private final EmbeddedKafka kafka;
    private final EmbeddedS3 s3;
    private final EmbeddedFlink flink;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalStack(EmbeddedKafka kafka, EmbeddedS3 s3, EmbeddedFlink flink) {
        this.kafka = kafka;
        this.s3 = s3;
        this.flink = flink;
    }

    /**
     * Starts the three components side by side (they share nothing, and most of their start-up is
     * waiting on class loading and sockets), then creates the pipeline's topics.
     */
    public static LocalStack start(Path stateDir, String bucket) {
        long started = System.nanoTime();
        ExecutorService starter = Executors.newFixedThreadPool(3, runnable -> {
            Thread thread = new Thread(runnable, "local-stack-start");
            thread.setDaemon(true);
            return thread;
        });
        CompletableFuture<EmbeddedKafka> kafka = CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(stateDir), starter);
        CompletableFuture<EmbeddedS3> s3 = CompletableFuture.supplyAsync(() -> EmbeddedS3.start(stateDir, bucket), starter);
        CompletableFuture<EmbeddedFlink> flink = CompletableFuture.supplyAsync(() -> EmbeddedFlink.start(stateDir), starter);
        starter.shutdown();
        try {
            CompletableFuture.allOf(kafka, s3, flink).join();
        } catch (CompletionException e) {
            closeStarted(List.of(flink, s3, kafka), e);
            throw new IllegalStateException("The local stack did not start under " + stateDir + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        LocalStack stack = new LocalStack(kafka.join(), s3.join(), flink.join());
        try {
            stack.kafka.createPipelineTopics();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        LOG.info("Local stack up in {} ms under {}: Kafka {}, S3 {} (bucket {}), Flink REST {}",
                (System.nanoTime() - started) / 1_000_000, stateDir, stack.kafka.bootstrapServers(),
                stack.s3.endpoint(), bucket, stack.flink.restAddress());
        return stack;
    }

    /** Waits for every component that started anyway and closes it, so a failed start leaves nothing running. */
    private static void closeStarted(List<CompletableFuture<? extends AutoCloseable>> components, Exception failure) {
        for (CompletableFuture<? extends AutoCloseable> component : components) {
            try {
                component.join().close();
            } catch (CompletionException notStarted) {
                // this one is the failure, or failed too: nothing to close
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    public EmbeddedFlink flink() {
        return flink;
    }

    /** Closes Flink first (its jobs still talk to Kafka and S3 while stopping), then S3, then Kafka. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (AutoCloseable component : List.<AutoCloseable>of(flink, s3, kafka)) {
            try {
                component.close();
            } catch (Exception e) {
                failures.add(e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e));
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
