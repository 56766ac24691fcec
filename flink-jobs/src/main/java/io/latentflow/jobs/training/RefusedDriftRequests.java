package io.latentflow.jobs.training;

import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.jobs.training.DriftRetryPolicy.Decision;
import io.latentflow.jobs.training.DriftRetryPolicy.DriftEpisode;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.samples.SamplesSincePromotion;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingState;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code --auto-finetune}: a drift request REFUSED for too few samples is kept and asked again once the samples
 * since its alert's window suffice ({@link DriftRetryPolicy}), so the automatic loop does not need a person to ask by
 * hand after the rest of the drifted stream arrived. Keyed by the episode: the id of the alert's own request.
 *
 * <p>Why this shape: the request waits HERE, in keyed state with a processing-time timer (the alerts carry no
 * watermarks, and the samples arrive whether or not alerts do), never inside the fine-tune operator, which takes one
 * request at a time in order: a parked request there would hold every manual {@code finetune} behind it. The outcomes
 * come back from {@code training-progress} (a loop through Kafka: Flink graphs have no cycles), and the retry joins
 * the job's requests inside the graph, so it is asked exactly once through the job's checkpoints. Its id is the
 * episode's plus {@code -attempt-<n>}, a function of the state, so an outcome read twice (the progress sink is
 * at-least-once) or a restore asks nothing twice: only the outcome of the attempt asked last counts, once.
 *
 * <p>When the stream stops before the alert's own samples suffice, the episode widens once to the samples since the
 * serving version was promoted (the policy's quiet period; the retry then carries no {@value FineTuneRun#SAMPLES_SINCE}
 * and names the window it widened from).
 *
 * <p>An episode ends when one of its attempts ends in anything but REFUSED, when the version the refusal named no
 * longer serves, or when the policy's bounds are spent. While it waits, a REFUSED record on {@code training-progress}
 * (a side output) says how many more samples it waits for, which {@code status} and the dashboard show.
 */
final class RefusedDriftRequests extends KeyedCoProcessFunction<String, TrainingRequest, TrainingProgress,
        TrainingRequest> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RefusedDriftRequests.class);

    /** Where the notes for people go: REFUSED records saying how many samples a drift request waits for. */
    static final OutputTag<TrainingProgress> WAITING = new OutputTag<>("waiting-drift-requests",
            new AvroTypeInfo<>(TrainingProgress.class));
    /** Figure of a waiting note; a note is not an outcome, so this operator skips it when it reads it back. */
    static final String WAITING_FOR_SAMPLES = "waitingForSamples";
    /** Attribute of a retry: its attempt number (2 and on). */
    static final String ATTEMPT = "attempt";
    /** Attribute of a widened retry: the alert's window start, whose samples alone were too few. */
    static final String WIDENED_FROM = "widenedFromSamplesSince";

    private static final String DRIFT_PREFIX = "drift-";
    private static final Pattern ATTEMPT_SUFFIX = Pattern.compile("^(.+)-attempt-(\\d+)$");

    private final KafkaSettings kafka;
    private final S3Settings s3;
    private final DriftRetryPolicy policy;

    private transient ValueState<TrainingRequest> request;
    private transient ValueState<DriftEpisode> episode;
    private transient TrainingSampleStore samples;

    RefusedDriftRequests(KafkaSettings kafka, S3Settings s3, DriftRetryPolicy policy) {
        this.kafka = kafka;
        this.s3 = s3;
        this.policy = policy;
    }

    /** The episode an outcome belongs to (the alert's own request id), or empty when it is not a drift request's. */
    static Optional<String> episodeOf(String requestId) {
        if (!requestId.startsWith(DRIFT_PREFIX)) {
            return Optional.empty();
        }
        Matcher attempt = ATTEMPT_SUFFIX.matcher(requestId);
        return Optional.of(attempt.matches() ? attempt.group(1) : requestId);
    }

    /** The outcome of a drift request, as opposed to its progress or a waiting note. */
    static boolean isDriftOutcome(TrainingProgress progress) {
        return episodeOf(progress.getRequestId()).isPresent() && switch (progress.getState()) {
            case PROMOTED, PUBLISHED, REJECTED, FAILED, DUPLICATE -> true;
            case REFUSED -> !progress.getFigures().containsKey(WAITING_FOR_SAMPLES);
            default -> false;
        };
    }

    static String attemptId(String episodeId, int attempt) {
        return attempt == 1 ? episodeId : episodeId + "-attempt-" + attempt;
    }

    @Override
    public void open(OpenContext openContext) {
        request = getRuntimeContext().getState(new ValueStateDescriptor<>("drift-request",
                new AvroTypeInfo<>(TrainingRequest.class)));
        episode = getRuntimeContext().getState(new ValueStateDescriptor<>("drift-episode",
                TypeInformation.of(DriftEpisode.class)));
        samples = new TrainingSampleStore(s3);
    }

    /** A drift request as it is asked: kept until its outcome says whether to wait. */
    @Override
    public void processElement1(TrainingRequest asked, Context context, Collector<TrainingRequest> out)
            throws Exception {
        if (request.value() == null) {
            request.update(asked);
            episode.update(new DriftEpisode());
        }
    }

    @Override
    public void processElement2(TrainingProgress outcome, Context context, Collector<TrainingRequest> out)
            throws Exception {
        TrainingRequest asked = request.value();
        DriftEpisode current = episode.value();
        if (asked == null || current == null || current.waiting
                || !outcome.getRequestId().equals(attemptId(asked.getRequestId(), current.attempt))) {
            return; // not this job's episode, a duplicate, or an attempt superseded
        }
        if (outcome.getState() != TrainingState.REFUSED) {
            LOG.info("Drift fine-tune {} ended {}: its episode is over", outcome.getRequestId(), outcome.getState());
            end();
            return;
        }
        Map<String, Double> figures = outcome.getFigures();
        long now = context.timerService().currentProcessingTime();
        Decision decision = policy.refused(current, (int) Math.round(figures.getOrDefault("recentImages", 0.0)),
                (int) Math.round(figures.getOrDefault("moreRecentImages", 0.0)), outcome.getServingVersion(), now);
        if (decision.action() == DriftRetryPolicy.Action.GIVE_UP) {
            LOG.warn("Drift fine-tune {} was refused and is not asked again: {}", outcome.getRequestId(),
                    decision.reason());
            end();
            return;
        }
        context.timerService().registerProcessingTimeTimer(now + policy.checkEvery().toMillis());
        note(context, asked, current, decision.missingSamples(), now);
        episode.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<TrainingRequest> out) throws Exception {
        TrainingRequest asked = request.value();
        DriftEpisode current = episode.value();
        if (asked == null || current == null || !current.waiting) {
            return;
        }
        Instant alertWindow = Instant.parse(asked.getAttributes().get(FineTuneRun.SAMPLES_SINCE));
        int sinceWindow;
        int sincePromotion;
        boolean sameVersion;
        try {
            ModelHistory history = ModelRegistry.readHistory(kafka);
            sameVersion = serves(history, current.servingVersion);
            sincePromotion = count(SamplesSincePromotion.since(history, history.serving().orElse(null)));
            sinceWindow = count(alertWindow);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Drift fine-tune {} could not count its samples, tries again in {} s: {}",
                    attemptId(asked.getRequestId(), current.attempt), policy.checkEvery().toSeconds(), e.toString());
            context.timerService().registerProcessingTimeTimer(timestamp + policy.checkEvery().toMillis());
            return;
        }
        int counted = current.widened ? sincePromotion : sinceWindow;
        Decision decision = policy.check(current, sameVersion, counted, sincePromotion, timestamp);
        switch (decision.action()) {
            case ASK, ASK_WIDER -> {
                if (decision.action() == DriftRetryPolicy.Action.ASK_WIDER) {
                    current.widened = true;
                    counted = sincePromotion;
                }
                current.attempt++;
                current.waiting = false;
                current.samplesWhenAsked = counted;
                current.missingReported = -1;
                episode.update(current);
                TrainingRequest retry = retry(asked, current, decision.reason(), timestamp);
                LOG.warn("Drift fine-tune {} asked again as {}: {}", asked.getRequestId(), retry.getRequestId(),
                        decision.reason());
                out.collect(retry);
            }
            case WAIT -> {
                context.timerService().registerProcessingTimeTimer(timestamp + policy.checkEvery().toMillis());
                if (decision.missingSamples() != current.missingReported) {
                    note(context, asked, current, decision.missingSamples(), timestamp);
                }
                episode.update(current); // the last count and when it changed (the quiet period), the note's figure
            }
            case GIVE_UP -> {
                LOG.warn("Drift fine-tune {} is not asked again: {}", asked.getRequestId(), decision.reason());
                end();
            }
        }
    }

    private int count(Instant since) throws IOException {
        return samples.availableSince(since).values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * Whether the refused run's version serves still: the registry's serving version, or, before any promotion (or
     * after rolling back to it), the shipped default, which the registry does not list.
     */
    private static boolean serves(ModelHistory history, String version) {
        return history.serving().map(version::equals).orElse(!history.versions().containsKey(version));
    }

    /**
     * The episode's next attempt. Widened, it names no {@value FineTuneRun#SAMPLES_SINCE}: the fine-tune then takes the
     * samples since the serving version was promoted, as one asked by hand does.
     */
    private TrainingRequest retry(TrainingRequest asked, DriftEpisode current, String why, long now) {
        int attempt = current.attempt;
        Map<String, String> attributes = new HashMap<>(asked.getAttributes());
        attributes.put(ATTEMPT, Integer.toString(attempt));
        if (current.widened) {
            attributes.put(WIDENED_FROM, attributes.remove(FineTuneRun.SAMPLES_SINCE));
        }
        return TrainingRequest.newBuilder(asked)
                .setRequestId(attemptId(asked.getRequestId(), attempt))
                .setRequestedAt(Instant.ofEpochMilli(now))
                .setReason(asked.getReason() + " (asked again, attempt " + attempt + " of " + policy.maxAttempts()
                        + ": " + why + ")")
                .setAttributes(attributes)
                .build();
    }

    private void note(Context context, TrainingRequest asked, DriftEpisode current, int missing, long now) {
        String refused = attemptId(asked.getRequestId(), current.attempt);
        String since = current.widened ? "the serving version was promoted"
                : asked.getAttributes().get(FineTuneRun.SAMPLES_SINCE);
        String waits = "waiting for " + missing + " more samples since " + since + " (" + current.neededSamples
                + " needed" + (current.widened ? "" : "; or, once no sample comes for " + policy.quietFor().toMinutes()
                + " min, for enough since the serving version was promoted") + ")"
                + " to ask again as " + attemptId(asked.getRequestId(), current.attempt + 1);
        String message = "drift fine-tune " + refused + " was refused for too few samples and is " + waits;
        LOG.info("Drift fine-tune {} is {}", refused, waits);
        current.missingReported = missing;
        context.output(WAITING, TrainingProgress.newBuilder().setRequestId(refused).setTime(Instant.ofEpochMilli(now))
                .setState(TrainingState.REFUSED).setFraction(1).setServingVersion(current.servingVersion)
                .setMessage(message).setFigures(Map.of(WAITING_FOR_SAMPLES, (double) missing,
                        "neededSamples", (double) current.neededSamples)).build());
    }

    private void end() {
        request.clear();
        episode.clear();
    }
}
