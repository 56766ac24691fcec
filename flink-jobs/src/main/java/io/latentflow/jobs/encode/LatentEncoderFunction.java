package io.latentflow.jobs.encode;

import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.shards.LatentSummaries;
import io.latentflow.connections.KafkaSettings;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelEventsFollower;
import io.latentflow.registry.ModelRegistry;
import io.latentflow.registry.ServingTimeline;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ImageExposure;
import io.latentflow.model.drift.ReconstructionSampling;
import io.latentflow.schemas.DeadLetterReason;
import io.latentflow.shards.StoredLatents;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Encodes each batch of prepared images with one call to the model, and splits the result into one
 * {@link EncodedLatent} per image, tagged with the model version that produced it.
 *
 * <p>Every parallel instance holds its own models ({@link ServedModels}), on the device {@link EncoderDevice} chooses
 * for it (the GPU Flink assigned, else subtask index modulo the visible GPUs, else CPU). A model that cannot be loaded
 * when the subtask opens fails the job with the reason, since nothing can be encoded without it. A model that fails on
 * a batch does not: every image of that batch becomes an {@code ENCODE_FAILED} dead letter with the model's message,
 * and the stream goes on.
 *
 * <p><b>Hot swap</b> (when the job follows the registry). Every subtask follows the {@code model-events} log
 * ({@link ModelEventsFollower}); a promotion is loaded in the background at once, while the subtask keeps encoding.
 * Which version encodes an image is a function of the log and the image's Kafka timestamp ({@link ServingTimeline}):
 * the same on every subtask and on every replay after a restore, so a failure during a swap re-encodes each image with
 * the version it had. An image stamped after a promotion took effect waits for that version's load if it is not done
 * yet. A version that cannot be downloaded, verified, loaded or warmed up is recorded REJECTED with the cause, and the
 * images go on with the version serving before. Only the version ids held are checkpointed; a restore reloads them.
 */
public final class LatentEncoderFunction extends ProcessFunction<List<PreparedImage>, EncodedLatent>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LatentEncoderFunction.class);

    private final ModelLocation modelLocation;
    private final int resolution;
    private final StoredLatents latentsStored;
    private final OperatorFaults faults;
    /** Where the registry is when the job follows it (hot swap), else null. */
    private final KafkaSettings registryKafka;
    private final S3Settings registryS3;
    private final TrustedKeys trustedKeys;
    private final ReconstructionSampling reconstructionSampling;

    private transient ServedModels models;
    private transient ModelEventsFollower follower;
    private transient ListState<String> heldVersions;
    private transient List<String> restoredVersions;
    private transient String lastVersion;
    private transient Set<String> rejected;
    private transient DeadLetterOutput deadLetters;
    private transient float[] pixelBuffer;
    private transient long imagesSeen;
    private transient int subtask;
    private transient ReconstructionMeter reconstructions;

    private transient Counter imagesEncoded;
    private transient Counter batchesFailed;
    private transient Counter versionSwitches;
    private transient Histogram encodeMillis;
    private transient Histogram reconstructionMillis;

    /**
     * @param faults told of every batch, {@link OperatorFaults#NONE} but in recovery tests
     */
    public LatentEncoderFunction(ModelLocation modelLocation, int resolution, OperatorFaults faults) {
        this(modelLocation, resolution, faults, null, null);
    }

    /**
     * @param registryKafka with {@code registryS3}: follow the model registry there and swap to promoted versions;
     *                      null to serve {@code modelLocation} only
     */
    public LatentEncoderFunction(ModelLocation modelLocation, int resolution, OperatorFaults faults,
                                 KafkaSettings registryKafka, S3Settings registryS3) {
        this(modelLocation, resolution, StoredLatents.MEAN, faults, registryKafka, registryS3, TrustedKeys.NOT_CHECKED);
    }

    /**
     * @param latentsStored the served mean, or the posterior's moments (a version without a posterior is then refused
     *                      like one that cannot be loaded)
     * @param trustedKeys   registry versions not signed by one of them are rejected like ones that cannot be loaded
     */
    public LatentEncoderFunction(ModelLocation modelLocation, int resolution, StoredLatents latentsStored,
                                 OperatorFaults faults, KafkaSettings registryKafka,
                                 S3Settings registryS3, TrustedKeys trustedKeys) {
        this(modelLocation, resolution, latentsStored, faults, registryKafka, registryS3, trustedKeys,
                ReconstructionSampling.NONE);
    }

    /**
     * @param reconstructionSampling which images are also decoded, their reconstruction PSNR going with their latent
     *                               to the drift monitor's QUALITY ({@link EncodedLatent#reconstructionPsnr})
     */
    public LatentEncoderFunction(ModelLocation modelLocation, int resolution, StoredLatents latentsStored,
                                 OperatorFaults faults, KafkaSettings registryKafka,
                                 S3Settings registryS3, TrustedKeys trustedKeys,
                                 ReconstructionSampling reconstructionSampling) {
        this.reconstructionSampling = Objects.requireNonNull(reconstructionSampling,
                "reconstructionSampling (ReconstructionSampling.NONE for none)");
        this.modelLocation = modelLocation;
        this.resolution = resolution;
        this.latentsStored = latentsStored;
        this.faults = Objects.requireNonNull(faults, "faults");
        this.registryKafka = registryKafka;
        this.registryS3 = registryS3;
        this.trustedKeys = Objects.requireNonNull(trustedKeys, "trustedKeys (TrustedKeys.NOT_CHECKED for none)");
    }

    private boolean followsRegistry() {
        return registryKafka != null;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        heldVersions = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("held-model-versions", String.class));
        restoredVersions = new ArrayList<>();
        heldVersions.get().forEach(restoredVersions::add);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        heldVersions.update(new ArrayList<>(models.held()));
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        EncoderDevice device = EncoderDevice.choose(
                getRuntimeContext().getExternalResourceInfos(EncoderDevice.GPU_RESOURCE), subtask,
                ServingModel.visibleGpuCount());
        LOG.info("Encoder {} runs on {}", subtask, device);
        try {
            models = new ServedModels(modelLocation, followsRegistry() ? registryS3 : null, trustedKeys,
                    device.device(), resolution, latentsStored);
        } catch (RuntimeException e) {
            throw new IllegalStateException("The encoder cannot load model " + modelLocation + " on " + device.device()
                    + ": " + e.getMessage() + ". Fix the model location (a model version directory, or \"default\")"
                    + " and start the job again.", e);
        }
        if (followsRegistry()) {
            rejected = new HashSet<>();
            restoredVersions.forEach(this::prepare);
            follower = new ModelEventsFollower(registryKafka, timeline -> prepare(timeline.latest()
                    .orElse(models.baseVersion())));
        }
        deadLetters = new DeadLetterOutput(getRuntimeContext());
        var metrics = getRuntimeContext().getMetricGroup();
        imagesEncoded = metrics.counter("imagesEncoded");
        batchesFailed = metrics.counter("batchesFailed");
        versionSwitches = metrics.counter("modelVersionSwitches");
        encodeMillis = metrics.histogram("encodeBatchMillis", new DescriptiveStatisticsHistogram(1024));
        reconstructionMillis = metrics.histogram("reconstructionSampleMillis", new DescriptiveStatisticsHistogram(1024));
        reconstructions = new ReconstructionMeter();
        metrics.meter("imagesEncodedPerSecond", new MeterView(imagesEncoded));
        LOG.info("Encoder {} serves model {} on {} at {}x{}{}", subtask, models.baseVersion(), device.device(),
                resolution, resolution, followsRegistry() ? ", and the versions the registry promotes" : "");
    }

    @Override
    public void processElement(List<PreparedImage> batch, Context context, Collector<EncodedLatent> out)
            throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        imagesSeen += batch.size();
        faults.elementsSeen(OperatorFaults.Stage.ENCODE, imagesSeen);
        encodeByVersion(batch, context, out);
        if (followsRegistry() && lastVersion != null) {
            Set<String> needed = new HashSet<>(List.of(lastVersion));
            needed.add(follower.current().latest().orElse(models.baseVersion()));
            models.retainOnly(needed);
        }
    }

    /** Encodes each run of consecutive images of one version with one call to that version's model. */
    private void encodeByVersion(List<PreparedImage> batch, Context context, Collector<EncodedLatent> out)
            throws Exception {
        String[] versions = versionsOf(batch);
        int from = 0;
        for (int i = 1; i <= batch.size(); i++) {
            if (i == batch.size() || !versions[i].equals(versions[from])) {
                encode(batch.subList(from, i), versions[from], context, out);
                from = i;
            }
        }
    }

    /** Per image, the version that encodes it: the job's own model, or the registry's as of the image's timestamp. */
    private String[] versionsOf(List<PreparedImage> batch) throws InterruptedException {
        String[] versions = new String[batch.size()];
        if (!followsRegistry()) {
            Arrays.fill(versions, models.baseVersion());
            return versions;
        }
        long newest = batch.stream().mapToLong(image -> image.recordTimestamp).max().orElseThrow();
        ServingTimeline timeline = follower.covering(newest);
        for (int i = 0; i < versions.length; i++) {
            versions[i] = timeline.versionAt(batch.get(i).recordTimestamp).orElse(models.baseVersion());
        }
        return versions;
    }

    private void encode(List<PreparedImage> images, String version, Context context, Collector<EncodedLatent> out)
            throws Exception {
        ServedModels.Loaded model;
        try {
            model = models.get(version);
        } catch (ServedModels.UnavailableVersionException e) {
            reject(version, e);
            encodeByVersion(images, context, out); // the log now names the version that serves them instead
            return;
        }
        if (!version.equals(lastVersion)) {
            if (lastVersion != null) {
                versionSwitches.inc();
                LOG.info("Encoder {} switched from model {} to {} at {} (stamped {})", subtask, lastVersion, version,
                        images.get(0).position(), images.get(0).recordTimestamp);
            }
            lastVersion = version;
        }
        encodeWith(model, images, context, out);
    }

    /** Loads a promoted version ahead of its time; one that fails is rejected at once, images or not. */
    private void prepare(String version) {
        models.prepare(version).whenComplete((loaded, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                recordRejection(version, cause.getMessage());
            }
        });
    }

    /** Records the version REJECTED and waits until the followed log says so: the images then go elsewhere. */
    private void reject(String version, ServedModels.UnavailableVersionException cause) throws InterruptedException {
        recordRejection(version, cause.getMessage());
        follower.awaitRejection(version);
    }

    /**
     * Records REJECTED with the cause, once per subtask (every subtask that tried reached the same verdict on the same
     * files; the registry reads a repeated REJECTED as one).
     */
    private synchronized void recordRejection(String version, String cause) {
        if (!rejected.add(version)) {
            return;
        }
        LOG.error("Encoder {} rejects model version {}; serving stays on the version before: {}", subtask, version,
                cause);
        try (ModelRegistry registry = new ModelRegistry(registryKafka, registryS3)) {
            registry.reject(version, "the encode job could not serve it: " + cause, Map.of());
        }
    }

    private void encodeWith(ServedModels.Loaded model, List<PreparedImage> batch, Context context,
                            Collector<EncodedLatent> out) {
        int count = batch.size();
        List<byte[]> images = new ArrayList<>(count);
        for (PreparedImage image : batch) {
            images.add(image.pixels);
        }
        float[] pixels = pixelBuffer(count);
        ModelInputBatch.toNchw(images, resolution, pixels);

        String version = model.model().version();
        long started = System.nanoTime();
        float[] latents;
        try {
            latents = model.encoder().encode(pixels, count, resolution, resolution);
        } catch (RuntimeException e) {
            deadLetterBatch(batch, version, e.getMessage() == null ? e.getClass().getName() : e.getMessage(), context);
            return;
        }
        encodeMillis.update((System.nanoTime() - started) / 1_000_000);
        long encodedAt = System.currentTimeMillis();

        int latentSide = resolution / model.model().config().downsamplingFactor();
        int perChannel = latentSide * latentSide;
        if (latents.length % ((long) count * perChannel) != 0) {
            deadLetterBatch(batch, version, "the model returned " + latents.length + " values for " + count
                    + " images of " + latentSide + "x" + latentSide + " latent positions", context);
            return;
        }
        int channels = latents.length / (count * perChannel);
        int perImage = channels * perChannel;
        int[] shape = {channels, latentSide, latentSide};
        int written = 0;
        List<EncodedLatent> encodedBatch = new ArrayList<>(count);
        List<Integer> positions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            PreparedImage image = batch.get(i);
            // the pixels are in hand only here; a pass over them costs well under 1 % of their encode (bench model)
            ImageExposure exposure = ImageExposure.ofRgb(image.pixels);
            image.pixels = null; // encoded: no need to ship them further
            float[] latent = Arrays.copyOfRange(latents, i * perImage, (i + 1) * perImage);
            int nonFinite = LatentSummaries.nonFiniteValues(latent);
            if (nonFinite > 0) {
                // fp16 overflow or a broken weight: a NaN in a shard would poison every diffusion batch that reads it
                deadLetters.send(context, image.topic, image.partition, image.offset, image.imageId,
                        DeadLetterReason.ENCODE_FAILED, "Model " + version + " (latent space "
                                + model.model().latentSpace() + ") produced " + nonFinite + " non-finite values (NaN or"
                                + " infinity) of " + latent.length + " in this image's latent; it was not written."
                                + " Check the model's weights, or serve it in float32", PipelineStage.ENCODE);
                continue;
            }
            EncodedLatent encoded = new EncodedLatent(image, version, shape.clone(), latent,
                    LatentSummaries.of(latent), encodedAt, model.model().latentSpace(),
                    model.model().scalingFactor(), model.model().shiftFactor(), latentsStored);
            encoded.measuredExposure(exposure);
            encodedBatch.add(encoded);
            positions.add(i);
        }
        measureSampledReconstructions(model, encodedBatch, positions, pixels);
        for (EncodedLatent encoded : encodedBatch) {
            out.collect(encoded);
            written++;
        }
        imagesEncoded.inc(written);
    }

    /**
     * Decodes the sampled images of the batch (one call) and records each one's PSNR on it. A decode that fails costs
     * the samples of this batch, never its latents: QUALITY is a watcher.
     *
     * @param positions where each of {@code encoded} is in the batch
     * @param pixels    NCHW pixels of the whole batch, in its order
     */
    private void measureSampledReconstructions(ServedModels.Loaded model, List<EncodedLatent> encoded,
                                               List<Integer> positions, float[] pixels) {
        List<EncodedLatent> sampled = new ArrayList<>();
        List<Integer> sampledPositions = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            if (reconstructionSampling.sampled(encoded.get(i).image.imageId)) {
                sampled.add(encoded.get(i));
                sampledPositions.add(positions.get(i));
            }
        }
        if (sampled.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        int perImagePixels = 3 * resolution * resolution;
        float[] sampledPixels = new float[sampled.size() * perImagePixels];
        float[] served = null;
        for (int i = 0; i < sampled.size(); i++) {
            System.arraycopy(pixels, sampledPositions.get(i) * perImagePixels, sampledPixels, i * perImagePixels,
                    perImagePixels);
            float[] latent = sampled.get(i).served().latent;
            if (served == null) {
                served = new float[sampled.size() * latent.length];
            }
            System.arraycopy(latent, 0, served, i * latent.length, latent.length);
        }
        try {
            double[] psnr = reconstructions.psnr(model.model(), served, sampledPixels, sampled.size(), resolution);
            for (int i = 0; i < psnr.length; i++) {
                sampled.get(i).reconstructionPsnr = psnr[i];
            }
        } catch (RuntimeException e) {
            LOG.warn("Model {} failed to decode {} images sampled for QUALITY; their PSNR is not measured: {}",
                    model.model().version(), sampled.size(), e.getMessage());
        }
        reconstructionMillis.update((System.nanoTime() - started) / 1_000_000);
    }

    private void deadLetterBatch(List<PreparedImage> batch, String version, String cause, Context context) {
        batchesFailed.inc();
        LOG.warn("Model {} failed to encode a batch of {} images ({} .. {}): {}", version, batch.size(),
                batch.get(0).position(), batch.get(batch.size() - 1).position(), cause);
        String message = "Model " + version + " failed to encode the batch of " + batch.size()
                + " images this one was in: " + cause;
        for (PreparedImage image : batch) {
            deadLetters.send(context, image.topic, image.partition, image.offset, image.imageId,
                    DeadLetterReason.ENCODE_FAILED, message, PipelineStage.ENCODE);
        }
    }

    private float[] pixelBuffer(int count) {
        int needed = count * 3 * resolution * resolution;
        if (pixelBuffer == null || pixelBuffer.length != needed) {
            pixelBuffer = new float[needed];
        }
        return pixelBuffer;
    }

    @Override
    public void close() throws Exception {
        if (follower != null) {
            follower.close();
        }
        if (reconstructions != null) {
            reconstructions.close();
        }
        if (models != null) {
            models.close();
        }
        super.close();
    }
}
