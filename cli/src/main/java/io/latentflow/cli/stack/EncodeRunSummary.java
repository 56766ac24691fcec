package io.latentflow.cli.stack;

import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.schemas.DriftAlert;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one bounded encode run (the demo, a benchmark) did, counted from what was committed (the latents and
 * images-dlq topics read with read_committed), not from the job's own counters. Printed for humans or as one JSON
 * object.
 *
 * @param imagesIn       images the broker acknowledged (each becomes a latent or a dead letter)
 * @param ingestFailures files given that never reached the images topic, each with its reason
 * @param duplicatesDropped records the job dropped as duplicates of an image id it had encoded (the job's own count)
 * @param windows closed latent-statistics windows (distinct window starts on latent-stats), null without the monitor
 * @param alerts  drift alerts on drift-alerts, in window order
 */
public record EncodeRunSummary(
        long imagesIn,
        List<ImageIngest.Failure> ingestFailures,
        long latentsWritten,
        long duplicatesDropped,
        long deadLettered,
        Map<String, Long> deadLetterReasons,
        List<String> shards,
        double imagesPerSecond,
        double jobSeconds,
        String modelVersion,
        int resolution,
        String shardFolder,
        Long windows,
        List<Alert> alerts) {

    /** One drift alert: where it happened, how bad, and what moved. */
    record Alert(String windowStart, long windowIndex, String severity, String previousSeverity, double driftScore,
                 List<Finding> findings) {
    }

    /** A statistic of a channel (-1: all channels) past its threshold. */
    record Finding(int channel, String statistic, double value, double threshold) {
    }

    static List<Alert> alerts(List<DriftAlert> alerts) {
        return alerts.stream()
                .sorted(java.util.Comparator.comparing(DriftAlert::getWindowStart))
                .map(a -> new Alert(a.getWindowStart().toString(), a.getWindowIndex(), a.getSeverity().name(),
                        a.getPreviousSeverity().name(), a.getDriftScore(), a.getFindings().stream()
                        .map(f -> new Finding(f.getChannel(), f.getStatistic(), f.getValue(), f.getThreshold()))
                        .toList()))
                .toList();
    }

    public String toHuman() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nlatentflow demo: %d images in -> %d latents written, %d dead-lettered%s%n",
                imagesIn, latentsWritten, deadLettered,
                duplicatesDropped > 0 ? ", " + duplicatesDropped + " duplicate(s) dropped" : ""));
        out.append(String.format("  model %s at %d px, %.1f images/s over %.1f s of job run time%n",
                modelVersion, resolution, imagesPerSecond, jobSeconds));
        if (!ingestFailures.isEmpty()) {
            out.append(String.format("  %d file(s) not ingested:%n", ingestFailures.size()));
            ingestFailures.forEach(f -> out.append("    ").append(f.file()).append(": ").append(f.reason()).append('\n'));
        }
        deadLetterReasons.forEach((reason, count) ->
                out.append(String.format("  dead letters %-24s %d%n", reason, count)));
        out.append(String.format("  %d shard(s) committed:%n", shards.size()));
        shards.stream().limit(10).forEach(shard -> out.append("    ").append(shard).append('\n'));
        if (shards.size() > 10) {
            out.append("    ... and ").append(shards.size() - 10).append(" more\n");
        }
        if (windows != null) {
            out.append(String.format("  drift monitor: %d window(s) of latent statistics, %d alert(s)%n", windows,
                    alerts.size()));
            for (Alert alert : alerts) {
                out.append(String.format(Locale.ROOT, "    window %d (%s): %s -> %s, drift score %.2f%n",
                        alert.windowIndex(), alert.windowStart(), alert.previousSeverity(), alert.severity(),
                        alert.driftScore()));
                alert.findings().stream().limit(6).forEach(f -> out.append(String.format(Locale.ROOT,
                        "      %s %s %.3g (threshold %.3g)%n", f.channel() < 0 ? "all channels" : "channel " + f.channel(),
                        f.statistic(), f.value(), f.threshold())));
                if (alert.findings().size() > 6) {
                    out.append("      ... and ").append(alert.findings().size() - 6).append(" more\n");
                }
            }
        }
        if (shardFolder != null && !shards.isEmpty()) {
            out.append("  on disk under ").append(shardFolder).append('\n');
            out.append("\nRead one from Python (numpy only):\n");
            out.append("  import glob, io, tarfile, numpy as np\n");
            out.append("  shard = sorted(glob.glob('").append(shardFolder).append("/latents/**/*.tar', recursive=True))[0]\n");
            out.append("  with tarfile.open(shard) as tar:\n");
            out.append("      member = next(m for m in tar.getmembers() if m.name.endswith('.latent.npy'))\n");
            out.append("      latent = np.load(io.BytesIO(tar.extractfile(member).read()))  # float16, C x H x W\n");
            out.append("  print(member.name, latent.shape, latent.dtype, latent.min(), latent.max())\n");
        }
        return out.toString();
    }
}
