package io.latentflow.jobs.drift;

import io.latentflow.model.drift.DriftScorer;
import io.latentflow.model.drift.DriftThresholds;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/** One {@link DriftScorer} per model version, against that version's reference profile, with the same thresholds. */
public final class DriftScorers implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ReferenceProfileLookup references;
    private final DriftThresholds thresholds;
    private transient Map<String, DriftScorer> scorers;

    public DriftScorers(ReferenceProfileLookup references, DriftThresholds thresholds) {
        this.references = references;
        this.thresholds = thresholds;
    }

    /** @throws IllegalStateException for a version without a profile, which the monitor filters out before */
    public DriftScorer forVersion(String version) {
        if (scorers == null) {
            scorers = new HashMap<>();
        }
        return scorers.computeIfAbsent(version, v -> {
            DriftScorer scorer = new DriftScorer(references.forVersion(v).orElseThrow(() ->
                    new IllegalStateException("no reference profile for model version " + v)), thresholds);
            return references.validationPsnr(v).map(scorer::withValidationPsnr).orElse(scorer);
        });
    }

    public DriftThresholds thresholds() {
        return thresholds;
    }
}
