package io.latentflow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * What one demo run did, counted from what was committed (the latents and images-dlq topics read with
 * read_committed), not from the job's own counters. Printed for humans or as one JSON object.
 */
record DemoSummary(
        long imagesIn,
        long latentsWritten,
        long deadLettered,
        Map<String, Long> deadLetterReasons,
        List<String> shards,
        double imagesPerSecond,
        double jobSeconds,
        String modelVersion,
        int resolution,
        String shardFolder) {

    private static final ObjectMapper JSON = new ObjectMapper();

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the summary as JSON", e);
        }
    }

    String toHuman() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nlatentflow demo: %d images in -> %d latents written, %d dead-lettered%n",
                imagesIn, latentsWritten, deadLettered));
        out.append(String.format("  model %s at %d px, %.1f images/s over %.1f s of job run time%n",
                modelVersion, resolution, imagesPerSecond, jobSeconds));
        deadLetterReasons.forEach((reason, count) ->
                out.append(String.format("  dead letters %-24s %d%n", reason, count)));
        out.append(String.format("  %d shard(s) committed:%n", shards.size()));
        shards.stream().limit(10).forEach(shard -> out.append("    ").append(shard).append('\n'));
        if (shards.size() > 10) {
            out.append("    ... and ").append(shards.size() - 10).append(" more\n");
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
