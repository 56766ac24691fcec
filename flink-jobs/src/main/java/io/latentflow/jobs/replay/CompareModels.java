package io.latentflow.jobs.replay;

import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.jobs.encode.EncodedLatent;
import io.latentflow.jobs.encode.EncoderDevice;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ImageExposure;
import io.latentflow.shards.StoredLatents;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.eval.Moments;
import io.latentflow.shards.LatentSummaries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each batch of prepared images through every model (encode, decode, PSNR, SSIM, latent moments) and emits one
 * {@link ImageComparison} per image. Beside it: each model's latents on its own side output ({@link #latentsOf}), in
 * the image's event time, for the drift windows and the backfill; and at the end of the input the images where B
 * lost most to A, with their pixels ({@link #WORST}).
 *
 * <p>An operator rather than a ProcessFunction because the worst images can only be known, and emitted, at the end of
 * the bounded input ({@link #endInput}). Keeps them in memory, not in state: a replay runs without restarts and is
 * simply run again.
 */
public final class CompareModels extends AbstractStreamOperator<ImageComparison>
        implements OneInputStreamOperator<List<PreparedImage>, ImageComparison>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CompareModels.class);

    public static final OutputTag<WorstImage> WORST =
            new OutputTag<>("worst-images", TypeInformation.of(WorstImage.class));

    private final List<ModelLocation> models;
    private final int resolution;
    private final int worstKept;

    private transient List<ModelReconstruction> reconstructions;
    private transient List<OutputTag<EncodedLatent>> latentOutputs;
    private final StoredLatents backfill;
    private transient LatentEncoder backfillMoments;
    private transient WorstImages worst;
    private transient Counter imagesCompared;
    private transient LongCounter encodeNanos;
    private transient LongCounter decodeNanos;
    private transient LongCounter scoreNanos;
    private transient LongCounter batchNanos;

    /**
     * @param models    A, then B if any
     * @param worstKept how many of the worst images to keep with their pixels
     */
    public CompareModels(List<ModelLocation> models, int resolution, int worstKept) {
        this(models, resolution, worstKept, null);
    }

    /**
     * @param backfill what to emit on {@link #BACKFILL} for the last model (its means, or its posterior's moments);
     *                 null for no backfill
     */
    public CompareModels(List<ModelLocation> models, int resolution, int worstKept, StoredLatents backfill) {
        this.backfill = backfill;
        if (models.isEmpty() || models.size() > 2) {
            throw new IllegalArgumentException("a replay compares one or two models, got " + models.size());
        }
        this.models = List.copyOf(models);
        this.resolution = resolution;
        this.worstKept = worstKept;
    }

    /** The last model's latents as the backfill stores them (means or moments), when there is a backfill. */
    public static final OutputTag<EncodedLatent> BACKFILL = new OutputTag<>("backfill",
            TypeInformation.of(EncodedLatent.class));

    /** The side output of model {@code index}'s latents (A = 0, B = 1). */
    public static OutputTag<EncodedLatent> latentsOf(int index) {
        return new OutputTag<>("latents-" + index, TypeInformation.of(EncodedLatent.class));
    }

    @Override
    public void open() throws Exception {
        super.open();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        // the encode job's choice of device, so a replay on GPU task managers spreads its subtasks the same way
        EncoderDevice device = EncoderDevice.choose(
                getRuntimeContext().getExternalResourceInfos(EncoderDevice.GPU_RESOURCE), subtask,
                ServingModel.visibleGpuCount());
        reconstructions = new ArrayList<>();
        latentOutputs = new ArrayList<>();
        for (ModelLocation location : models) {
            latentOutputs.add(latentsOf(reconstructions.size()));
            reconstructions.add(new ModelReconstruction(location.load(device.device())));
        }
        if (backfill == StoredLatents.MOMENTS) {
            backfillMoments = reconstructions.get(reconstructions.size() - 1).newMomentsEncoder();
        }
        worst = new WorstImages(worstKept);
        imagesCompared = getMetricGroup().counter("imagesCompared");
        encodeNanos = getRuntimeContext().getLongCounter(ReplayTimes.ENCODE_NANOS);
        decodeNanos = getRuntimeContext().getLongCounter(ReplayTimes.DECODE_NANOS);
        scoreNanos = getRuntimeContext().getLongCounter(ReplayTimes.SCORE_NANOS);
        batchNanos = getRuntimeContext().getLongCounter(ReplayTimes.BATCH_NANOS);
        LOG.info("Replay subtask {} compares {} at {} px on {}", subtask,
                reconstructions.stream().map(ModelReconstruction::version).toList(), resolution, device);
    }

    @Override
    public void processElement(StreamRecord<List<PreparedImage>> element) {
        List<PreparedImage> batch = element.getValue();
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        int count = batch.size();
        List<byte[]> pixels = batch.stream().map(image -> image.pixels).toList();
        ImageBatch input = new ImageBatch(ModelInputBatch.toNchw(pixels, resolution), count, resolution, resolution);
        List<ModelReconstruction.Result> results = new ArrayList<>();
        for (ModelReconstruction model : reconstructions) {
            ModelReconstruction.Result result = model.reconstruct(input);
            encodeNanos.add(result.encodeNanos());
            decodeNanos.add(result.decodeNanos());
            scoreNanos.add(result.scoreNanos());
            results.add(result);
        }
        float[] moments = backfillMoments == null ? null : ModelReconstruction.requireFinite(
                backfillMoments.encode(input.pixels(), count, resolution, resolution),
                reconstructions.get(reconstructions.size() - 1).version());
        long comparedAt = System.currentTimeMillis();
        int last = results.size() - 1;
        for (int i = 0; i < count; i++) {
            PreparedImage image = batch.get(i);
            ImageComparison comparison = compare(image, i, results, comparedAt);
            offerWorst(image, i, results, comparison);
            PreparedImage described = withoutPixels(image);
            ImageExposure exposure = ImageExposure.ofRgb(image.pixels); // the replay's drift windows judge it too
            for (int m = 0; m < results.size(); m++) {
                EncodedLatent latent = latent(described, m, i, results.get(m), comparedAt);
                latent.measuredExposure(exposure);
                output.collect(latentOutputs.get(m), new StreamRecord<>(latent, image.eventTime));
                if (m == last && backfill != null) {
                    output.collect(BACKFILL, new StreamRecord<>(moments == null ? latent
                            : moments(latent, moments, i), image.eventTime));
                }
            }
            output.collect(new StreamRecord<>(comparison, image.eventTime));
        }
        imagesCompared.inc(count);
        batchNanos.add(System.nanoTime() - start);
    }

    @Override
    public void endInput() {
        for (WorstImage image : worst.worstFirst()) {
            output.collect(WORST, new StreamRecord<>(image, image.eventTime));
        }
    }

    private ImageComparison compare(PreparedImage image, int index, List<ModelReconstruction.Result> results,
                                    long comparedAt) {
        int models = results.size();
        ImageComparison comparison = new ImageComparison();
        comparison.partition = image.partition;
        comparison.offset = image.offset;
        comparison.imageId = image.imageId;
        comparison.source = image.source;
        comparison.eventTime = image.eventTime;
        comparison.comparedAt = comparedAt;
        comparison.psnr = new double[models];
        comparison.ssim = new double[models];
        comparison.channels = new int[models];
        comparison.positions = new int[models];
        comparison.outsideUnit = new long[models];
        comparison.maxAbs = new double[models];
        int totalChannels = results.stream().mapToInt(ModelReconstruction.Result::latentChannels).sum();
        comparison.channelMean = new double[totalChannels];
        comparison.channelM2 = new double[totalChannels];
        int channelOffset = 0;
        for (int m = 0; m < models; m++) {
            ModelReconstruction.Result result = results.get(m);
            int channels = result.latentChannels();
            int positions = result.latentSide() * result.latentSide();
            comparison.psnr[m] = result.psnr()[index];
            comparison.ssim[m] = result.ssim()[index];
            comparison.channels[m] = channels;
            comparison.positions[m] = positions;
            int from = index * channels * positions;
            double maxAbs = 0;
            for (int c = 0; c < channels; c++) {
                Moments moments = Moments.of(result.latents(), from + c * positions, positions);
                comparison.channelMean[channelOffset + c] = moments.mean();
                comparison.channelM2[channelOffset + c] = moments.m2();
                maxAbs = Math.max(maxAbs, Math.max(Math.abs(moments.min()), Math.abs(moments.max())));
            }
            long outside = 0;
            for (int v = from; v < from + channels * positions; v++) {
                float value = result.latents()[v];
                if (value < -1f || value > 1f) {
                    outside++;
                }
            }
            comparison.outsideUnit[m] = outside;
            comparison.maxAbs[m] = maxAbs;
            channelOffset += channels;
        }
        return comparison;
    }

    /** B - A with two models (most negative: B lost most), A's PSNR with one. */
    static double score(double[] psnr) {
        return psnr.length > 1 ? psnr[1] - psnr[0] : psnr[0];
    }

    private void offerWorst(PreparedImage image, int index, List<ModelReconstruction.Result> results,
                            ImageComparison comparison) {
        double score = score(comparison.psnr);
        if (!worst.wouldKeep(score)) {
            return;
        }
        int values = 3 * resolution * resolution;
        WorstImage candidate = new WorstImage();
        candidate.partition = image.partition;
        candidate.offset = image.offset;
        candidate.imageId = image.imageId;
        candidate.source = image.source;
        candidate.eventTime = image.eventTime;
        candidate.caption = image.caption;
        candidate.label = image.label;
        candidate.psnr = comparison.psnr.clone();
        candidate.score = score;
        candidate.size = resolution;
        candidate.input = image.pixels.clone();
        candidate.reconstructions = new byte[values * results.size()];
        for (int m = 0; m < results.size(); m++) {
            toHwcBytes(results.get(m).reconstructions(), index * values, resolution, candidate.reconstructions,
                    m * values);
        }
        worst.offer(candidate);
    }

    private EncodedLatent latent(PreparedImage image, int model, int index, ModelReconstruction.Result result,
                                 long comparedAt) {
        int side = result.latentSide();
        int perImage = result.latentChannels() * side * side;
        float[] values = Arrays.copyOfRange(result.latents(), index * perImage, (index + 1) * perImage);
        return new EncodedLatent(image, reconstructions.get(model).version(),
                new int[] {result.latentChannels(), side, side}, values, LatentSummaries.of(values), comparedAt,
                reconstructions.get(model).latentSpace(), reconstructions.get(model).scalingFactor(),
                reconstructions.get(model).shiftFactor(), StoredLatents.MEAN);
    }

    /** The backfilled model's moments of image {@code index}, described like its served latent. */
    private static EncodedLatent moments(EncodedLatent served, float[] moments, int index) {
        int perImage = 2 * served.latent.length;
        float[] values = Arrays.copyOfRange(moments, index * perImage, (index + 1) * perImage);
        return served.withValues(new int[] {2 * served.shape[0], served.shape[1], served.shape[2]}, values,
                StoredLatents.MOMENTS);
    }

    private static PreparedImage withoutPixels(PreparedImage image) {
        PreparedImage described = new PreparedImage();
        described.topic = image.topic;
        described.partition = image.partition;
        described.offset = image.offset;
        described.imageId = image.imageId;
        described.sampleKey = image.sampleKey;
        described.source = image.source;
        described.eventTime = image.eventTime;
        described.attributes = image.attributes;
        described.caption = image.caption; // a backfilled latent keeps what a trainer needs beside it
        described.label = image.label;
        described.originalWidth = image.originalWidth;
        described.originalHeight = image.originalHeight;
        described.size = image.size;
        return described;
    }

    /** NCHW in [-1, 1] to HWC bytes, rounded as the comparison grids of eval round them. */
    private static void toHwcBytes(float[] nchw, int from, int size, byte[] out, int outFrom) {
        int plane = size * size;
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float signed = nchw[from + c * plane + p];
                out[outFrom + p * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round((signed + 1) * 127.5f)));
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (backfillMoments != null) {
            backfillMoments.close();
        }
        if (reconstructions != null) {
            reconstructions.forEach(ModelReconstruction::close);
        }
        super.close();
    }
}
