package io.latentflow.jobs.training;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Tells {@code training-progress} where a run stands while it trains: a record when it starts, at most one per
 * {@link #EVERY} of training, and one when it judges. Not transactional: progress is for people watching, and the
 * outcome record goes through the job's own sink.
 */
final class ProgressReporter implements FineTuneRun.Listener, AutoCloseable {

    static final Duration EVERY = Duration.ofSeconds(2);
    private static final AvroCodec<TrainingProgress> CODEC = AvroCodec.of(TrainingProgress.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String requestId;
    private String servingVersion;
    private long lastSent;

    ProgressReporter(KafkaSettings kafka, String requestId) {
        Properties props = kafka.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.requestId = requestId;
    }

    @Override
    public void started(String servingVersion, int recentImages, int olderImages) {
        this.servingVersion = servingVersion;
        send(base(TrainingState.STARTED).setMessage("fine-tuning " + servingVersion + " on " + recentImages
                + " recent images with " + olderImages + " older ones to replay").build());
    }

    @Override
    public void stepDone(io.latentflow.model.train.TrainingProgress progress) {
        long now = System.currentTimeMillis();
        boolean last = progress.stepBudget() > 0 && progress.step() >= progress.stepBudget();
        if (now - lastSent < EVERY.toMillis() && !last) {
            return;
        }
        lastSent = now;
        send(base(TrainingState.TRAINING).setStep(progress.step()).setSteps(progress.stepBudget())
                .setFraction(progress.fraction())
                .setLoss(Float.isFinite(progress.loss()) ? (double) progress.loss() : null)
                .setEtaSeconds(progress.eta() == null ? null : progress.eta().toMillis() / 1000.0).build());
    }

    @Override
    public void evaluating(String candidateVersion) {
        send(base(TrainingState.EVALUATING).setFraction(1).setCandidateVersion(candidateVersion)
                .setMessage("judging " + candidateVersion + " against " + servingVersion).build());
    }

    /** The outcome record of a run. */
    static TrainingProgress outcome(String requestId, FineTuneRun.Outcome outcome) {
        return TrainingProgress.newBuilder().setRequestId(requestId).setTime(Instant.now()).setState(outcome.state())
                .setFraction(1).setServingVersion(outcome.serving()).setCandidateVersion(outcome.candidate())
                .setMessage(outcome.reason()).setFigures(Map.copyOf(outcome.figures())).build();
    }

    /** The record of a run that failed. */
    static TrainingProgress failed(String requestId, String cause) {
        return TrainingProgress.newBuilder().setRequestId(requestId).setTime(Instant.now())
                .setState(TrainingState.FAILED).setMessage(cause).build();
    }

    private TrainingProgress.Builder base(TrainingState state) {
        return TrainingProgress.newBuilder().setRequestId(requestId).setTime(Instant.now()).setState(state)
                .setServingVersion(servingVersion);
    }

    private void send(TrainingProgress progress) {
        producer.send(new ProducerRecord<>(Topics.TRAINING_PROGRESS, requestId, CODEC.encode(progress)));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
