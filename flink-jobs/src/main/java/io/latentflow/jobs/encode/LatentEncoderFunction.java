package io.latentflow.jobs.encode;

import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.shards.LatentSummaries;
import io.latentflow.model.AutoencoderConfig;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.schemas.DeadLetterReason;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes each batch of prepared images with one call to the model, and splits the result into one
 * {@link EncodedLatent} per image.
 *
 * <p>Every parallel instance loads its own {@link ServingModel}, on the device {@link EncoderDevice} chooses for it
 * (the GPU Flink assigned, else subtask index modulo the visible GPUs, else CPU), and opens one {@link LatentEncoder}
 * in {@link #open}: the encoder is not thread-safe and each instance runs in its own thread. A
 * model that cannot be loaded fails the job with the reason, since nothing can be encoded without
 * it. A model that fails on a batch does not: every image of that batch becomes an
 * {@code ENCODE_FAILED} dead letter with the model's message, and the stream goes on.
 */
public final class LatentEncoderFunction extends ProcessFunction<List<PreparedImage>, EncodedLatent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LatentEncoderFunction.class);

    private final ModelLocation modelLocation;
    private final int resolution;
    private final FailureInjectionForTesting failureInjection;

    private transient ServingModel model;
    private transient LatentEncoder encoder;
    private transient DeadLetterOutput deadLetters;
    private transient float[] pixelBuffer;
    private transient long imagesSeen;

    private transient Counter imagesEncoded;
    private transient Counter batchesFailed;
    private transient Histogram encodeMillis;

    /**
     * @param failureInjection TEST ONLY, else null
     */
    public LatentEncoderFunction(ModelLocation modelLocation, int resolution, FailureInjectionForTesting failureInjection) {
        this.modelLocation = modelLocation;
        this.resolution = resolution;
        this.failureInjection = failureInjection;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        EncoderDevice device = EncoderDevice.choose(
                getRuntimeContext().getExternalResourceInfos(EncoderDevice.GPU_RESOURCE), subtask,
                ServingModel.visibleGpuCount());
        LOG.info("Encoder {} runs on {}", subtask, device);
        try {
            model = modelLocation.load(device.device());
        } catch (RuntimeException e) {
            throw new IllegalStateException("The encoder cannot load model " + modelLocation + " on " + device.device()
                    + ": " + e.getMessage() + ". Fix the model location (a model version directory, or \"default\")"
                    + " and start the job again.", e);
        }
        AutoencoderConfig config = model.config();
        if (resolution % config.downsamplingFactor() != 0) {
            model.close();
            throw new IllegalArgumentException("Resolution " + resolution + " is not a multiple of model " + model.version()
                    + "'s downsampling factor " + config.downsamplingFactor() + ": choose another resolution.");
        }
        encoder = model.newEncoder();
        deadLetters = new DeadLetterOutput(getRuntimeContext());
        var metrics = getRuntimeContext().getMetricGroup();
        imagesEncoded = metrics.counter("imagesEncoded");
        batchesFailed = metrics.counter("batchesFailed");
        encodeMillis = metrics.histogram("encodeBatchMillis", new DescriptiveStatisticsHistogram(1024));
        metrics.meter("imagesEncodedPerSecond", new MeterView(imagesEncoded));
        LOG.info("Encoder {} serves model {} ({}) on {} at {}x{}", subtask, model.version(), config.shortName(),
                model.device(), resolution, resolution);
    }

    @Override
    public void processElement(List<PreparedImage> batch, Context context, Collector<EncodedLatent> out) {
        if (batch.isEmpty()) {
            return;
        }
        imagesSeen += batch.size();
        if (failureInjection != null) {
            failureInjection.maybeFail(FailureInjectionForTesting.Stage.ENCODE, imagesSeen);
        }
        int count = batch.size();
        List<byte[]> images = new ArrayList<>(count);
        for (PreparedImage image : batch) {
            images.add(image.pixels);
        }
        float[] pixels = pixelBuffer(count);
        ModelInputBatch.toNchw(images, resolution, pixels);

        long started = System.nanoTime();
        float[] latents;
        try {
            latents = encoder.encode(pixels, count, resolution, resolution);
        } catch (RuntimeException e) {
            deadLetterBatch(batch, e.getMessage() == null ? e.getClass().getName() : e.getMessage(), context);
            return;
        }
        encodeMillis.update((System.nanoTime() - started) / 1_000_000);
        long encodedAt = System.currentTimeMillis();

        int latentSide = resolution / model.config().downsamplingFactor();
        int perChannel = latentSide * latentSide;
        if (latents.length % ((long) count * perChannel) != 0) {
            deadLetterBatch(batch, "the model returned " + latents.length + " values for " + count + " images of "
                    + latentSide + "x" + latentSide + " latent positions", context);
            return;
        }
        int channels = latents.length / (count * perChannel);
        int perImage = channels * perChannel;
        int[] shape = {channels, latentSide, latentSide};
        for (int i = 0; i < count; i++) {
            PreparedImage image = batch.get(i);
            image.pixels = null; // encoded: no need to ship them further
            float[] latent = Arrays.copyOfRange(latents, i * perImage, (i + 1) * perImage);
            out.collect(new EncodedLatent(image, model.version(), shape.clone(), latent, LatentSummaries.of(latent),
                    encodedAt));
        }
        imagesEncoded.inc(count);
    }

    private void deadLetterBatch(List<PreparedImage> batch, String cause, Context context) {
        batchesFailed.inc();
        LOG.warn("Model {} failed to encode a batch of {} images ({} .. {}): {}", model.version(), batch.size(),
                batch.get(0).position(), batch.get(batch.size() - 1).position(), cause);
        String message = "Model " + model.version() + " failed to encode the batch of " + batch.size()
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
        if (encoder != null) {
            encoder.close();
        }
        if (model != null) {
            model.close();
        }
        super.close();
    }
}
