package io.latentflow.jobs.sampling;

import io.latentflow.jobs.encode.PreparedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * A bottom-k reservoir per source and window: the {@code capacity} candidates of lowest priority with distinct
 * contents. It holds more than the window will keep, so that images sampled in earlier windows can still be left out
 * when it closes ({@link TrainingSampleWriter}).
 */
final class LowestPriorities implements AggregateFunction<PreparedImage, List<SampledImage>, List<SampledImage>> {

    private static final long serialVersionUID = 1L;
    private static final Comparator<SampledImage> BY_PRIORITY = Comparator.comparingLong(s -> s.priority);

    private final int capacity;

    LowestPriorities(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public List<SampledImage> createAccumulator() {
        return new ArrayList<>();
    }

    @Override
    public List<SampledImage> add(PreparedImage image, List<SampledImage> reservoir) {
        return offer(SampledImage.of(image), reservoir);
    }

    @Override
    public List<SampledImage> getResult(List<SampledImage> reservoir) {
        reservoir.sort(BY_PRIORITY);
        return reservoir;
    }

    @Override
    public List<SampledImage> merge(List<SampledImage> a, List<SampledImage> b) {
        for (SampledImage candidate : b) {
            offer(candidate, a);
        }
        return a;
    }

    private List<SampledImage> offer(SampledImage candidate, List<SampledImage> reservoir) {
        for (SampledImage held : reservoir) {
            if (held.contentHash.equals(candidate.contentHash)) {
                return reservoir; // an exact duplicate
            }
        }
        if (reservoir.size() < capacity) {
            reservoir.add(candidate);
            return reservoir;
        }
        SampledImage highest = reservoir.stream().max(BY_PRIORITY).orElseThrow();
        if (candidate.priority < highest.priority) {
            reservoir.remove(highest);
            reservoir.add(candidate);
        }
        return reservoir;
    }
}
