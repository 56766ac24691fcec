package io.latentflow.cli.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A run of the service that ended without its orderly stop (SIGKILL, an OOM kill, a power cut): it leaves its
 * {@code service.json}, which names its encode job, and that job's checkpoints under the checkpoint folder. When that
 * folder is gone, the restore point found without it is older than what the killed run committed (or there is none),
 * and a start from it would silently encode again what was committed since, and never commit the shards the killed
 * run's last checkpoint staged. So the start stops and says so.
 *
 * @param jobId the encode job the killed run was running
 * @param pid   the process that ran it, as its service file says ("unknown" when it does not)
 */
public record KilledRun(String jobId, String pid) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The run that left {@code serviceFile} behind, if one did (an orderly stop deletes it). */
    public static Optional<KilledRun> leftIn(Path serviceFile) {
        if (!Files.isRegularFile(serviceFile)) {
            return Optional.empty();
        }
        JsonNode service;
        try {
            service = JSON.readTree(serviceFile.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("the last run of the service ended without stopping (it left "
                    + serviceFile + "), and that file is unreadable (" + e.getMessage() + "), so which job's"
                    + " checkpoints to resume from is unknown: delete it and start with --no-resume (images are then"
                    + " read from the consumer group's committed offsets)", e);
        }
        String jobId = service.path("jobId").asText("");
        return jobId.isBlank() ? Optional.empty()
                : Optional.of(new KilledRun(jobId, service.path("pid").asText("unknown")));
    }

    /**
     * Stops the start when this run's checkpoints are gone and {@code chosen} is not one of them. A checkpoint folder
     * of the job without a complete checkpoint is a run killed before its first checkpoint: it committed nothing, and
     * what came before it is the right place to resume.
     *
     * @throws IllegalStateException saying what happened and what to do
     */
    public void requireCheckpointsOrResume(Optional<RestorePoint> chosen, Path checkpointRoot) {
        if (chosen.filter(point -> jobId.equals(point.jobId())).isPresent()
                || Files.isDirectory(checkpointRoot.resolve(jobId))) {
            return;
        }
        throw new IllegalStateException("the last run of the service (pid " + pid + ", encode job " + jobId
                + ") was killed, and its checkpoints are gone (no " + checkpointRoot.resolve(jobId) + "). Resuming "
                + chosen.map(point -> "from the older " + point.describe()).orElse("without state")
                + " would encode again what that run committed after it, and leave the shards of its last checkpoint"
                + " uncommitted. Put the folder back to resume from its last checkpoint, or start with --no-resume to"
                + " start without state (images are read from the consumer group's committed offsets; shards staged"
                + " by the killed run stay under _staging/)");
    }
}
