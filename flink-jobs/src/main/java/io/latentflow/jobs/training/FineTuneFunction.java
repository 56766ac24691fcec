package io.latentflow.jobs.training;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingRequest;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each training request ({@link FineTuneRun}) on a thread of its own, so the job keeps taking checkpoints while a
 * fine-tune takes minutes: Flink's async operator holds the request in its checkpointed state until the run ends, so a
 * restart mid-run starts the request again (and {@link FineTuneRun} makes sure that never gives two candidates).
 * Emits the run's outcome; a run that fails becomes a FAILED outcome with the cause, and the job goes on. A run past
 * the operator's timeout is FAILED and its thread interrupted, which the fine-tune honours after its current step
 * (nothing is written or published after that): without it the thread would train on, holding the only trainer
 * thread, and could publish a candidate for a request already reported as failed.
 */
final class FineTuneFunction extends RichAsyncFunction<TrainingRequest, TrainingProgress> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FineTuneFunction.class);

    private final KafkaSettings kafka;
    private final S3Settings s3;
    private final FineTuneSettings settings;

    private transient ExecutorService trainer;
    private transient Map<String, Future<?>> running;

    FineTuneFunction(KafkaSettings kafka, S3Settings s3, FineTuneSettings settings) {
        this.kafka = kafka;
        this.s3 = s3;
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        running = new ConcurrentHashMap<>();
        trainer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fine-tune");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void asyncInvoke(TrainingRequest request, ResultFuture<TrainingProgress> result) {
        String id = request.getRequestId();
        // registered before it can start, so that a run ending at once leaves no entry behind
        FutureTask<Void> task = new FutureTask<>(() -> {
            try {
                result.complete(List.of(run(request)));
            } finally {
                running.remove(id);
            }
        }, null);
        running.put(id, task);
        trainer.execute(task);
    }

    private TrainingProgress run(TrainingRequest request) {
        String id = request.getRequestId();
        LOG.info("Training request {} ({}): {}", id, request.getTrigger(), request.getReason());
        try (ModelRegistry registry = new ModelRegistry(kafka, s3);
             ProgressReporter progress = new ProgressReporter(kafka, id)) {
            FineTuneRun.Outcome outcome = new FineTuneRun(registry, new TrainingSampleStore(s3), settings)
                    .run(request, progress);
            LOG.info("Training request {}: {} {} ({})", id, outcome.state(), outcome.candidate(), outcome.reason());
            return ProgressReporter.outcome(id, outcome);
        } catch (InterruptedIOException e) {
            LOG.warn("Training request {} stopped: {}", id, e.getMessage()); // its timeout, expected: no stack trace
            return ProgressReporter.failed(id, e.getMessage());
        } catch (Exception e) {
            LOG.error("Training request {} failed: {}", id, e.toString(), e);
            return ProgressReporter.failed(id, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    @Override
    public void timeout(TrainingRequest request, ResultFuture<TrainingProgress> result) {
        Future<?> run = running.remove(request.getRequestId());
        if (run != null) {
            run.cancel(true);
        }
        result.complete(List.of(ProgressReporter.failed(request.getRequestId(), "the fine-tune took longer than the"
                + " job allows")));
    }

    @Override
    public void close() throws Exception {
        if (trainer != null) {
            trainer.shutdownNow();
        }
        super.close();
    }
}
