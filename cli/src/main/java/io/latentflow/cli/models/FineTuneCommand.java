package io.latentflow.cli.models;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.cli.common.SignKeyOptions;
import io.latentflow.cli.stack.ServiceState;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.registry.CandidatePublisher;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.SigningKey;
import io.latentflow.jobs.training.FineTuneRun;
import io.latentflow.model.ServingModel;
import io.latentflow.model.data.TrainingImages;
import io.latentflow.model.data.HeldOutSplit;
import io.latentflow.model.data.SourceSplit;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.model.eval.GateVerdict;
import io.latentflow.model.eval.PromotionGate;
import io.latentflow.model.finetune.FineTuneData;
import io.latentflow.model.finetune.FineTuneOptions;
import io.latentflow.model.finetune.FineTunePlan;
import io.latentflow.model.finetune.FineTuneResult;
import io.latentflow.model.finetune.FineTuneScope;
import io.latentflow.model.finetune.FineTuner;
import io.latentflow.model.finetune.GatedCandidate;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.model.store.PlainNames;
import io.latentflow.model.train.TrainingBudget;
import io.latentflow.schemas.Topics;
import io.latentflow.schemas.TrainingProgress;
import io.latentflow.schemas.TrainingRequest;
import io.latentflow.schemas.TrainingTrigger;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow finetune}: fine-tunes the serving version on recent images with a replay share of older ones,
 * judges the candidate with the promotion gate on held-out sources of both, publishes it, and promotes or rejects it.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune the serving model version on recent images (plus a replay share of older ones),"
                + " judge the candidate against it on held-out sources of both, publish it and PROMOTE or REJECT it"
                + " with the gate's figures.",
                "Two forms. Service: without --images-recent/--images-older, ask the running service's"
                        + " continuous-training job (it fine-tunes on the training samples since the serving version"
                        + " was promoted, with a replay of the older images it was started with); --wait follows it."
                        + " Offline: with both folders, fine-tune here.",
                "Exit code: 0 promoted (or passed, with --no-promote / --no-publish), 3 rejected by the gate,"
                        + " 4 refused before training (too few images for the gate to judge: nothing trained, no"
                        + " candidate), 1 or 2 on errors."})
public final class FineTuneCommand implements Callable<Integer> {

    static final int REJECTED = 3;
    static final int TOO_FEW_SAMPLES = 4;

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Option(names = "--images-recent", paramLabel = "DIR",
            description = "The new data: its sources split into training and held-out evaluation sources.")
    Path recentImages;

    @Option(names = "--images-older", paramLabel = "DIR",
            description = "Data the serving version was made for (e.g. its own training photos): some sources are"
                    + " replayed during training, other sources held out to check nothing is forgotten.")
    Path olderImages;

    @ArgGroup(exclusive = true)
    Budget budget = new Budget();

    static final class Budget {
        @Option(names = "--steps", description = "Training steps (default: planned from the images, two passes over"
                + " them within 100-1500 steps, with early stopping).")
        Long steps;

        @Option(names = "--minutes", description = "Training time instead of a step count.")
        Double minutes;
    }

    @Option(names = "--model", paramLabel = "DIR|default", description = "Fine-tune this version instead of the"
            + " registry's serving one (default: the serving version; the shipped default model when none was"
            + " promoted).")
    String model;

    @Option(names = "--no-promote", description = "Publish a candidate that passes the gate, but do not promote it.")
    boolean noPromote;

    @Option(names = "--no-publish", description = "Only fine-tune and judge: contact no registry (needs --model).")
    boolean noPublish;

    @Option(names = "--out", paramLabel = "DIR", description = "The new version's directory (default:"
            + " <state-dir>/finetune/<version>).")
    Path out;

    @Option(names = "--replay-share", defaultValue = "0.3",
            description = "Share of training images taken from --images-older (default ${DEFAULT-VALUE}).")
    double replayShare;

    @Option(names = "--learning-rate", description = "Adam's learning rate (default: planned from the images, 3e-4,"
            + " lower below 256 recent images).")
    Double learningRate;

    @Option(names = "--scale-equivariance", paramLabel = "WEIGHT", description = "Weight of the scale-equivariance"
            + " term for this fine-tune: the decoder must also draw the 2x- or 4x-downsampled image from the equally"
            + " downsampled latent (default: the serving version's recipe; 0 turns it off).")
    Double scaleEquivariance;

    @Option(names = "--holdout", description = "Fraction of each folder held out for the gate (default 1/6): whole"
            + " sources when a folder has 6 or more, else images by a hash of their content.")
    Double holdout;

    @Option(names = "--scope", paramLabel = "decoder|all", description = "What the fine-tune may change: decoder"
            + " (default: the encoder stays bit for bit, so every latent and the latent space stay) or all (the"
            + " encoder too: a new latent space, history needs 'replay --backfill').")
    String scope;

    @Option(names = "--min-held-out", description = "Gate: held-out images it needs on each side before it judges"
            + " (default 16).")
    Integer minHeldOut;

    @Option(names = "--resolution", defaultValue = "256", description = "The encode job's image side: the gate"
            + " evaluates and the drift profile is made at it (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--size", defaultValue = "" + FineTunePlan.CROP_SIZE,
            description = "Training crop size (default ${DEFAULT-VALUE}).")
    int cropSize;

    @Option(names = "--batch", defaultValue = "" + FineTunePlan.BATCH_SIZE,
            description = "Crops per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seeds every random draw (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--min-psnr", description = "Gate floor, dB, on both held-out sets (default 20).")
    Double minPsnr;

    @Option(names = "--min-ssim", description = "Gate floor on both held-out sets (default 0.5).")
    Double minSsim;

    @Option(names = "--latent-std-band", split = ",", paramLabel = "MIN,MAX",
            description = "Gate: band of every latent channel's std (default 0.4,1.0).")
    List<Double> latentStdBand;

    @Option(names = "--max-older-loss", description = "Gate: dB the older held-out images may lose (default 0.3).")
    Double maxOlderLoss;

    @Option(names = "--min-recent-gain", description = "Gate: dB the recent held-out images must gain (default 0.1).")
    Double minRecentGain;

    @Mixin
    SignKeyOptions signKey;

    @Mixin
    JsonOptions output;

    @Option(names = "--wait", description = "Service form: follow the request's progress until its outcome (a"
            + " progress line on stderr).")
    boolean wait;

    @Override
    public Integer call() throws Exception {
        if (recentImages == null && olderImages == null) {
            if (signKey.file != null) {
                throw new IllegalArgumentException("--sign-key signs what the offline form publishes; the service's"
                        + " candidates are signed by the key it was started with ('latentflow run --sign-key')");
            }
            return askTheService();
        }
        if (recentImages == null || olderImages == null) {
            throw new IllegalArgumentException("the offline form needs both --images-recent and --images-older; give"
                    + " neither to ask the running service's continuous-training job");
        }
        if (noPublish && model == null) {
            throw new IllegalArgumentException("--no-publish contacts no registry, so it cannot find the serving"
                    + " version: give --model DIR|default");
        }
        if (out != null && Files.exists(out) && !(Files.isDirectory(out) && isEmpty(out))) {
            throw new IllegalArgumentException("--out " + out + " already exists: model versions are immutable, so"
                    + " give a new directory");
        }
        TrainingRequest request = request();
        Optional<SigningKey> signer = signKey.read(); // a broken key is refused before hours of training, not after
        GateThresholds thresholds = thresholds();
        FineTuneScope fineTuneScope = scope != null ? FineTuneScope.parse(scope) : FineTuneScope.DEFAULT;
        FineTuneData data;
        try {
            data = FineTuneData.split(TrainingImages.list(recentImages), TrainingImages.list(olderImages),
                    holdout != null ? holdout : SourceSplit.DEFAULT_VALIDATION_FRACTION, thresholds);
        } catch (FineTuneData.NotEnoughSamples e) {
            say("%s", e.getMessage());
            return TOO_FEW_SAMPLES;
        }
        HeldOutSplit recent = data.recent();
        HeldOutSplit older = data.older();
        ModelRegistry registry = noPublish ? null : service.resolve().openRegistry();
        Path work = Files.createDirectories(service.stateDir.resolve("finetune"));
        Path temp = Files.createTempDirectory(work, ".run-");
        try {
            Path serving = servingVersion(registry, temp);
            say("fine-tuning %s on %d recent images (%d sources) + a %.0f %% replay of %d older images; held out"
                            + " for the gate: %d recent (by %s) and %d older (by %s)",
                    ModelDirectory.verify(serving).version(), recent.training().size(),
                    recent.training().stream().map(this::source).distinct().count(), 100 * replayShare,
                    older.training().size(), recent.heldOut().size(), recent.basis(), older.heldOut().size(),
                    older.basis());
            FineTuneResult tuned = FineTuner.run(FineTuneOptions.builder(serving, recent.training(),
                            older.training(), temp.resolve("trained"))
                    .replayShare(replayShare).budget(budget()).cropSize(cropSize).batchSize(batch).seed(seed)
                    .threads(threads).resolution(resolution).learningRate(learningRate).scope(fineTuneScope)
                    .scaleEquivariance(scaleEquivariance)
                    .provenance(provenance(request))
                    .command(commandLine()).build());

            say("judging %s against %s on %d + %d held-out images at %d px", tuned.version(), tuned.parentVersion(),
                    recent.heldOut().size(), older.heldOut().size(), resolution);
            GateVerdict verdict = new PromotionGate(thresholds)
                    .requiringSameLatentSpace(fineTuneScope.keepsLatentSpace())
                    .judgeFiles(tuned.modelDir(), serving, recent.heldOut(), older.heldOut(), resolution);
            Path versionDir = out != null ? out : work.resolve(tuned.version());
            GatedCandidate.write(tuned.modelDir(), versionDir, verdict, thresholds,
                    GatedCandidate.heldOut(recent, older));
            say("%s", verdict.reason());

            String state = registry == null ? null
                    : register(registry, signer, request.getRequestId(), tuned.version(), versionDir, verdict);
            report(request, tuned, verdict, versionDir, state,
                    registry == null ? null : registry.uri(tuned.version()), recent, older);
            return verdict.passed() ? 0 : REJECTED;
        } finally {
            ModelDirectory.deleteRecursively(temp);
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** Publishes the version with the request's id, then PROMOTED or REJECTED with the gate's figures. */
    private String register(ModelRegistry registry, Optional<SigningKey> signer, String requestId, String version,
                            Path versionDir, GateVerdict verdict) throws IOException {
        CandidatePublisher.Outcome outcome = new CandidatePublisher(registry, ModelRegistry.DEFAULT_LEAD, signer)
                .publish(versionDir, requestId, verdict, !noPromote);
        if (outcome == CandidatePublisher.Outcome.PUBLISHED) {
            say("published %s; not promoted (--no-promote): 'latentflow models promote %s' serves it", version,
                    version);
        }
        return outcome.name();
    }

    /** The version to start from: --model, else the registry's serving one, else the shipped default model. */
    private Path servingVersion(ModelRegistry registry, Path temp) throws IOException {
        if (model != null && !"default".equals(model)) {
            return Path.of(model);
        }
        if (model == null) {
            var serving = registry.history().serving();
            if (serving.isPresent()) {
                Path dir = PlainNames.resolve(new ServiceState(service.stateDir).modelsDirectory(), serving.get(),
                        "serving version");
                if (Files.isDirectory(dir)) {
                    ModelDirectory.verify(dir);
                    return dir;
                }
                return registry.download(serving.get(), dir);
            }
            say("no version was promoted in the registry: starting from the shipped default model, as 'run' serves");
        }
        return ServingModel.extractDefault(temp.resolve("default"));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private String source(Path file) {
        return SourceSplit.sourceOf(file.getFileName().toString());
    }

    private TrainingBudget budget() {
        if (budget.minutes != null) {
            return TrainingBudget.minutes(budget.minutes);
        }
        return budget.steps != null ? TrainingBudget.steps(budget.steps) : null;
    }

    private GateThresholds thresholds() {
        GateThresholds d = GateThresholds.DEFAULTS;
        if (latentStdBand != null && latentStdBand.size() != 2) {
            throw new IllegalArgumentException("--latent-std-band takes two numbers, MIN,MAX, got " + latentStdBand);
        }
        return new GateThresholds(minPsnr != null ? minPsnr : d.minPsnr(), minSsim != null ? minSsim : d.minSsim(),
                d.maxFractionOutsideUnit(), latentStdBand != null ? latentStdBand.get(0) : d.minChannelStd(),
                latentStdBand != null ? latentStdBand.get(1) : d.maxChannelStd(), d.maxBlackHolePositions(),
                maxOlderLoss != null ? maxOlderLoss : d.maxOlderLossDb(),
                minRecentGain != null ? minRecentGain : d.minRecentGainDb(),
                minHeldOut != null ? minHeldOut : d.minHeldOutImages());
    }

    /** This run as the message the training job will consume from {@value Topics#TRAINING_REQUESTS}. */
    /**
     * The service form: a training request for the running service's continuous-training job, which fine-tunes on
     * the samples taken since the serving version was promoted; with --wait, its progress until the outcome.
     */
    private int askTheService() throws Exception {
        TrainingRequest request = TrainingRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setRequestedAt(Instant.now())
                .setTrigger(TrainingTrigger.USER)
                .setReason("latentflow finetune")
                .setSteps(budget.steps)
                .setMinutes(budget.minutes)
                .setPromote(!noPromote)
                .setReplayShare(replayShare)
                .setAttributes(scope != null ? Map.of(FineTuneRun.SCOPE, FineTuneScope.parse(scope).id()) : Map.of())
                .build();
        KafkaSettings kafka = service.resolve().kafka();
        FineTuneRequest.send(kafka, request);
        PrintWriter out = spec.commandLine().getOut();
        if (!wait) {
            if (output.json()) {
                output.print(out, Map.of("requestId", request.getRequestId(), "state", "SENT"));
            } else {
                out.println("training request " + request.getRequestId()
                        + " sent; 'latentflow status' shows its progress");
                out.flush();
            }
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        TrainingProgress outcome = FineTuneRequest.await(kafka, request.getRequestId(), Duration.ofHours(6),
                progress -> {
                    err.print("\r" + FineTuneRequest.line(progress) + (FineTuneRequest.isOutcome(progress.getState())
                            ? "\n" : ""));
                    err.flush();
                });
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("requestId", request.getRequestId());
        result.put("state", outcome.getState().name());
        result.put("servingVersion", outcome.getServingVersion());
        result.put("candidateVersion", outcome.getCandidateVersion());
        result.put("reason", outcome.getMessage());
        result.put("figures", outcome.getFigures());
        if (output.json()) {
            output.print(out, result);
        } else {
            out.println(FineTuneRequest.line(outcome));
            out.flush();
        }
        return switch (outcome.getState()) {
            case PROMOTED, PUBLISHED, DUPLICATE -> 0;
            case REJECTED -> REJECTED;
            case REFUSED -> TOO_FEW_SAMPLES;
            default -> 1;
        };
    }

    private TrainingRequest request() {
        return TrainingRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setRequestedAt(Instant.now())
                .setTrigger(TrainingTrigger.USER)
                .setSteps(budget.steps)
                .setMinutes(budget.minutes)
                .setPromote(!noPromote)
                .setRecentImages(recentImages.toAbsolutePath().normalize().toString())
                .setOlderImages(olderImages.toAbsolutePath().normalize().toString())
                .setReplayShare(replayShare)
                .build();
    }

    private static Map<String, Object> provenance(TrainingRequest request) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("requestId", request.getRequestId());
        provenance.put("trigger", request.getTrigger().name());
        provenance.put("requestedAt", request.getRequestedAt().toString());
        provenance.put("recentImages", request.getRecentImages());
        provenance.put("olderImages", request.getOlderImages());
        return provenance;
    }

    private void report(TrainingRequest request, FineTuneResult tuned, GateVerdict verdict, Path versionDir, String state, String uri,
                        HeldOutSplit recent, HeldOutSplit older) throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        double minutes = tuned.training().trainingTime().toMillis() / 60000.0;
        if (output.json()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("requestId", request.getRequestId());
            result.put("version", tuned.version());
            result.put("parentVersion", tuned.parentVersion());
            result.put("modelDir", versionDir.toAbsolutePath().toString());
            result.put("steps", tuned.training().steps());
            result.put("minutes", minutes);
            result.put("secondsPerStep", tuned.training().secondsPerStep());
            result.put("recentImages", tuned.recentImages());
            result.put("replayImages", tuned.replayImages());
            result.put("heldOut", GatedCandidate.heldOut(recent, older));
            Map<String, Object> gate = new LinkedHashMap<>();
            gate.put("passed", verdict.passed());
            gate.put("reason", verdict.reason());
            gate.put("failures", verdict.failures());
            gate.put("figures", verdict.figures());
            result.put("gate", gate);
            result.put("registryState", state);
            result.put("uri", uri);
            output.print(stdout, result);
        } else {
            stdout.printf(Locale.ROOT, "%s fine-tuned from %s: %d steps in %.1f min on %d recent + %d replayed"
                            + " images, written to %s%n", tuned.version(), tuned.parentVersion(),
                    tuned.training().steps(), minutes, tuned.recentImages(), tuned.replayImages(), versionDir);
            stdout.printf("gate: %s%n", verdict.reason());
            if (state != null) {
                stdout.printf("registry: %s %s (%s)%n", state, tuned.version(), uri);
            }
        }
        stdout.flush();
    }

    private void say(String format, Object... args) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(String.format(Locale.ROOT, format, args));
        err.flush();
    }

    private String commandLine() {
        StringBuilder line = new StringBuilder("latentflow finetune --images-recent ").append(recentImages)
                .append(" --images-older ").append(olderImages);
        if (budget.steps != null) {
            line.append(" --steps ").append(budget.steps);
        }
        if (budget.minutes != null) {
            line.append(" --minutes ").append(budget.minutes);
        }
        if (model != null) {
            line.append(" --model ").append(model);
        }
        if (learningRate != null) {
            line.append(" --learning-rate ").append(learningRate);
        }
        if (scaleEquivariance != null) {
            line.append(" --scale-equivariance ").append(scaleEquivariance);
        }
        line.append(" --replay-share ").append(replayShare).append(" --resolution ").append(resolution)
                .append(" --size ").append(cropSize).append(" --batch ").append(batch).append(" --seed ").append(seed)
                .append(" --threads ").append(threads);
        return line.toString();
    }
}
