package io.latentflow.jobs.replay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Keeps the {@code capacity} images with the lowest score seen so far, and no more: a replay of a week keeps a few
 * images' pixels, not the week's. Each comparing subtask keeps its own; the report takes the lowest of all of them.
 */
final class WorstImages {

    /** Highest score first, so the head is the one to drop; ties broken by id for a stable choice. */
    private static final Comparator<WorstImage> BEST_FIRST =
            Comparator.comparingDouble((WorstImage w) -> w.score).reversed()
                    .thenComparing(w -> w.imageId, Comparator.reverseOrder());

    private final int capacity;
    private final PriorityQueue<WorstImage> kept;

    WorstImages(int capacity) {
        this.capacity = capacity;
        this.kept = new PriorityQueue<>(Math.max(1, capacity + 1), BEST_FIRST);
    }

    /** Whether an image of this score would be kept: pixels are only copied for those. */
    boolean wouldKeep(double score) {
        return capacity > 0 && (kept.size() < capacity || score < kept.peek().score);
    }

    void offer(WorstImage image) {
        if (!wouldKeep(image.score)) {
            return;
        }
        kept.add(image);
        if (kept.size() > capacity) {
            kept.poll();
        }
    }

    /** Worst first. */
    List<WorstImage> worstFirst() {
        List<WorstImage> list = new ArrayList<>(kept);
        list.sort(BEST_FIRST.reversed());
        return list;
    }
}
