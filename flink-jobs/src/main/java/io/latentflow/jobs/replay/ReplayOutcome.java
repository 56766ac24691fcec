package io.latentflow.jobs.replay;

import io.latentflow.schemas.DeadLetter;
import io.latentflow.schemas.LatentStatsWindow;
import java.util.List;

/**
 * What a replay job collected.
 *
 * @param versions    model versions, A first
 * @param images      one comparison per image that reached the models
 * @param worst       the worst images of every subtask with their pixels (the report keeps the worst of these)
 * @param windows     per model (A first), the latent statistics of each event-time window with its drift score; a
 *                    window updated by late images appears again, more complete
 * @param rejected    records the decoder refused (not written anywhere: the replay only reads)
 * @param jobSeconds  the job's run time
 * @param times       where the models' operator spent its time
 */
public record ReplayOutcome(List<String> versions, List<ImageComparison> images, List<WorstImage> worst,
                            List<List<LatentStatsWindow>> windows, List<DeadLetter> rejected, double jobSeconds,
                            ReplayTimes times) {
}
