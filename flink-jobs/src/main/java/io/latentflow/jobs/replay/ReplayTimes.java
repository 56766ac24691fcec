package io.latentflow.jobs.replay;

import org.apache.flink.api.common.JobExecutionResult;

/**
 * Where the models' operator spent its time, summed over its subtasks and models, from the job's accumulators: what a
 * replay costs beside the encode job, stage by stage ({@code bench replay} prints it).
 *
 * @param encodeSeconds encoding the images
 * @param decodeSeconds decoding the latents
 * @param scoreSeconds  PSNR and SSIM of the reconstructions
 * @param otherSeconds  the rest of the operator's work per batch: the images as NCHW, latent moments, side outputs, the
 *                      worst images, the backfill's moments
 */
public record ReplayTimes(double encodeSeconds, double decodeSeconds, double scoreSeconds, double otherSeconds) {

    static final String ENCODE_NANOS = "replay-encode-nanos";
    static final String DECODE_NANOS = "replay-decode-nanos";
    static final String SCORE_NANOS = "replay-score-nanos";
    static final String BATCH_NANOS = "replay-batch-nanos";

    static ReplayTimes of(JobExecutionResult result) {
        long encode = nanos(result, ENCODE_NANOS);
        long decode = nanos(result, DECODE_NANOS);
        long score = nanos(result, SCORE_NANOS);
        long batch = nanos(result, BATCH_NANOS);
        return new ReplayTimes(encode / 1e9, decode / 1e9, score / 1e9, Math.max(0, batch - encode - decode - score) / 1e9);
    }

    private static long nanos(JobExecutionResult result, String name) {
        Object value = result.getAllAccumulatorResults().get(name);
        return value == null ? 0 : ((Number) value).longValue();
    }
}
