package io.latentflow.jobs.training;

import io.latentflow.registry.CandidatePublisher;
import io.latentflow.registry.ModelHistory;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.SigningKey;
import io.latentflow.registry.samples.SamplesSincePromotion;
import io.latentflow.registry.samples.TrainingSampleStore;
import io.latentflow.model.ServingModel;
import io.latentflow.model.data.TrainingImages;
import io.latentflow.model.data.HeldOutSplit;
import io.latentflow.model.eval.GateVerdict;
import io.latentflow.model.eval.PromotionGate;
import io.latentflow.model.finetune.FineTuneData;
import io.latentflow.model.finetune.FineTuneOptions;
import io.latentflow.model.finetune.FineTuneResult;
import io.latentflow.model.finetune.FineTuneScope;
import io.latentflow.model.finetune.FineTuner;
import io.latentflow.model.finetune.GatedCandidate;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.store.PlainNames;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.model.train.TrainingListener;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingState;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One training request, from the serving version to a verdict in the registry: finds the version serving now and the
 * data (the training samples taken since that version was promoted, or since the request's {@value #SAMPLES_SINCE},
 * unless the request names a folder; the older
 * images to replay and to check nothing is forgotten), fine-tunes from the serving version, judges the candidate with
 * the promotion gate on held-out sources of both, and publishes it, then PROMOTES or REJECTS it with the gate's
 * figures. The candidate's metrics.json and its PUBLISHED event name the request and the Kafka offsets of its samples.
 *
 * <p>At most one candidate per request: a request whose id a published version already carries (a restart of the job
 * mid-run replays the request) ends as {@link TrainingState#DUPLICATE} naming that version.
 */
public final class FineTuneRun {

    /** Attribute of a request: fine-tune on the samples of windows from this instant on (ISO-8601). */
    public static final String SAMPLES_SINCE = "samplesSince";
    /** Attribute of a request: what the fine-tune may change, {@code decoder} or {@code all} (default: settings'). */
    public static final String SCOPE = "scope";

    private final ModelRegistry registry;
    private final TrainingSampleStore samples;
    private final FineTuneSettings settings;

    public FineTuneRun(ModelRegistry registry, TrainingSampleStore samples, FineTuneSettings settings) {
        this.registry = registry;
        this.samples = samples;
        this.settings = settings;
    }

    /**
     * How the run ended.
     *
     * @param state     PROMOTED, PUBLISHED (passed, not promoted), REJECTED, DUPLICATE, or REFUSED (too few samples
     *                  to judge: nothing trained, no candidate)
     * @param serving   the version it started from
     * @param candidate the version it made (or the one made before, for a duplicate)
     */
    public record Outcome(TrainingState state, String serving, String candidate, String reason,
                          Map<String, Double> figures) {
    }

    /** Watches the run: the training steps, and the moment it starts judging. */
    public interface Listener extends TrainingListener {
        default void started(String servingVersion, int recentImages, int olderImages) {
        }

        default void evaluating(String candidateVersion) {
        }
    }

    public Outcome run(TrainingRequest request, Listener listener) throws IOException {
        ModelHistory history = registry.history();
        Path work = workFolder(Path.of(settings.workDirectory()), request.getRequestId());
        if (Files.exists(work)) {
            ModelDirectory.deleteRecursively(work); // what an interrupted attempt left
        }
        Files.createDirectories(work);
        try {
            Optional<String> earlier = CandidatePublisher.candidateOf(history, request.getRequestId());
            if (earlier.isPresent()) {
                return duplicate(request, history, earlier.get(), work);
            }
            Optional<SigningKey> signingKey = settings.signingKey(); // an unreadable key fails before, not after, training
            Path serving = servingVersion(history, work);
            String servingVersion = ModelDirectory.verify(serving).version();
            Map<String, Object> provenance = provenance(request, servingVersion);
            Path recentFolder = recentImages(request, history, work, provenance);
            Path olderFolder = Path.of(request.getOlderImages() != null ? request.getOlderImages()
                    : settings.olderImages());
            List<Path> recentImages = images(recentFolder);
            FineTuneData data;
            try {
                data = FineTuneData.split(recentImages, images(olderFolder), settings.holdout(),
                        settings.thresholds());
            } catch (FineTuneData.NotEnoughSamples e) {
                String reason = recentImages.isEmpty() && provenance.containsKey(SAMPLES_SINCE)
                        ? e.getMessage() + " " + noSampleYet(Instant.parse((String) provenance.get(SAMPLES_SINCE)))
                        : e.getMessage();
                return new Outcome(TrainingState.REFUSED, servingVersion, null, reason,
                        Map.of("moreRecentImages", (double) e.moreRecentImages(),
                                "recentImages", (double) recentImages.size()));
            }
            HeldOutSplit recent = data.recent();
            HeldOutSplit older = data.older();
            FineTuneScope scope = scope(request);
            listener.started(servingVersion, recent.training().size(), older.training().size());

            FineTuneResult tuned = FineTuner.run(FineTuneOptions.builder(serving, recent.training(),
                            older.training(), work.resolve("trained"))
                    .replayShare(request.getReplayShare()).budget(budget(request)).cropSize(settings.cropSize())
                    .batchSize(settings.batchSize()).threads(settings.threads()).resolution(settings.resolution())
                    .learningRate(settings.learningRate()).scope(scope)
                    .provenance(provenance).listener(listener).command("continuous-training " + request.getRequestId())
                    .build());

            listener.evaluating(tuned.version());
            GateVerdict verdict = new PromotionGate(settings.thresholds())
                    .requiringSameLatentSpace(scope.keepsLatentSpace())
                    .judgeFiles(tuned.modelDir(), serving, recent.heldOut(), older.heldOut(), settings.resolution());
            Path versionDir = work.resolve(tuned.version());
            GatedCandidate.write(tuned.modelDir(), versionDir, verdict, settings.thresholds(),
                    GatedCandidate.heldOut(recent, older));

            if (Thread.currentThread().isInterrupted()) { // the caller gave up while the gate judged
                throw new InterruptedIOException("request " + request.getRequestId() + " was interrupted while the"
                        + " gate judged " + tuned.version() + "; nothing was published");
            }
            CandidatePublisher.Outcome published = new CandidatePublisher(registry, settings.lead(), signingKey)
                    .publish(versionDir, request.getRequestId(), verdict, request.getPromote());
            TrainingState state = switch (published) {
                case PROMOTED -> TrainingState.PROMOTED;
                case PUBLISHED -> TrainingState.PUBLISHED;
                case REJECTED -> TrainingState.REJECTED;
            };
            return new Outcome(state, servingVersion, tuned.version(), verdict.reason(), verdict.figures());
        } finally {
            if (Files.exists(work)) {
                ModelDirectory.deleteRecursively(work);
            }
        }
    }

    /**
     * The request made {@code candidate} before (this is a replay after a restart): no second candidate, but the
     * verdict is recorded if the attempt that published it died before it could.
     */
    private Outcome duplicate(TrainingRequest request, ModelHistory history, String candidate, Path work)
            throws IOException {
        Optional<CandidatePublisher.Outcome> recorded = new CandidatePublisher(registry, settings.lead())
                .recordMissingVerdict(candidate, request.getPromote(), work.resolve("earlier"))
                .filter(outcome -> outcome != CandidatePublisher.Outcome.PUBLISHED); // nothing more to record
        String reason = "request " + request.getRequestId() + " already made version " + candidate
                + recorded.map(o -> "; the verdict its attempt did not live to record is recorded now: " + o)
                .orElse("");
        return new Outcome(TrainingState.DUPLICATE, history.serving().orElse(null), candidate, reason, Map.of());
    }

    /**
     * {@code root/request-<id>}. The id comes from a Kafka record and the folder is deleted recursively, so an id that
     * is not a plain name ("../..", "/home") is refused instead of naming a folder outside {@code root}.
     */
    static Path workFolder(Path root, String requestId) throws IOException {
        return PlainNames.resolve(Files.createDirectories(root), "request-" + requestId, "training request id");
    }

    /** The registry's serving version, downloaded; the shipped default model when none was ever promoted. */
    private Path servingVersion(ModelHistory history, Path work) throws IOException {
        Optional<String> serving = history.serving();
        if (serving.isPresent()) {
            return registry.download(serving.get(), work.resolve("serving"));
        }
        return ServingModel.extractDefault(work.resolve("serving"));
    }

    /**
     * The request's folder, or the training samples of the windows since the serving version was promoted (all of
     * them before any promotion); their Kafka offsets go into the provenance.
     */
    private Path recentImages(TrainingRequest request, ModelHistory history, Path work,
                              Map<String, Object> provenance) throws IOException {
        if (request.getRecentImages() != null && !request.getRecentImages().startsWith("s3://")) {
            return Path.of(request.getRecentImages());
        }
        String asked = request.getAttributes().get(SAMPLES_SINCE);
        Instant since = asked != null ? Instant.parse(asked)
                : SamplesSincePromotion.since(history, history.serving().orElse(null));
        // no upper bound: sample windows are in the images' event time, which need not be behind the wall clock
        TrainingSampleStore.Samples recent = samples.download(since, Instant.ofEpochMilli(Long.MAX_VALUE),
                work.resolve("recent"));
        Map<String, List<Long>> offsets = new LinkedHashMap<>();
        recent.offsets().forEach((partition, range) -> offsets.put(partition, List.of(range[0], range[1])));
        provenance.put(SAMPLES_SINCE, since.toString());
        provenance.put("sampleShards", recent.shards());
        provenance.put("sampleOffsets", offsets);
        return work.resolve("recent");
    }

    /** Why a fine-tune asked right after its images were sent finds no sample: samples are taken as windows close. */
    static String noSampleYet(Instant since) {
        return (since.equals(Instant.EPOCH) ? "No training sample has been taken yet" : "No training sample was taken"
                + " since " + since) + ": the encode job takes them from each window of"
                + " images as it closes and commits them with its next checkpoint, about a window (run --window, 1 min"
                + " by default) after the window's last image; ask again then ('latentflow status' counts them under"
                + " samplesSincePromotion).";
    }

    /** The folder's images; none for a folder that is missing or empty (the refusal then says how many are needed). */
    private static List<Path> images(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var entries = Files.list(folder)) {
            return entries.findAny().isPresent() ? TrainingImages.list(folder) : List.of();
        }
    }

    private FineTuneScope scope(TrainingRequest request) {
        String asked = request.getAttributes().get(SCOPE);
        return asked != null ? FineTuneScope.parse(asked) : settings.scope();
    }

    /** The request's budget, else the settings', else null: planned from the data by the fine-tuner. */
    private TrainingBudget budget(TrainingRequest request) {
        if (request.getMinutes() != null) {
            return TrainingBudget.minutes(request.getMinutes());
        }
        Long steps = request.getSteps() != null ? request.getSteps() : settings.defaultSteps();
        return steps != null ? TrainingBudget.steps(steps) : null;
    }

    private static Map<String, Object> provenance(TrainingRequest request, String servingVersion) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("requestId", request.getRequestId());
        provenance.put("trigger", request.getTrigger().name());
        provenance.put("requestedAt", request.getRequestedAt().toString());
        provenance.put("reason", request.getReason());
        provenance.put("fineTunedFrom", servingVersion);
        provenance.put("attributes", new LinkedHashMap<>(request.getAttributes()));
        return provenance;
    }
}
