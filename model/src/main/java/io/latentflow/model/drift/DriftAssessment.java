package io.latentflow.model.drift;

import java.util.List;

/**
 * One window measured against the reference profile.
 *
 * @param images   images in the window
 * @param score    the drift score: the largest drift statistic (per channel, and the window's novelty) divided by its
 *                 warning level, so 1 is the warning level of the worst statistic (pathologies are not part of it)
 * @param channels per channel
 * @param findings every statistic past its threshold, drift statistics first, worst first
 * @param level    what this window alone indicates: CRITICAL at the critical score, WARNING at the warning score or
 *                 with any pathology, else OK
 */
public record DriftAssessment(long images, double score, List<ChannelDrift> channels, List<DriftFinding> findings, Severity level) {

    public DriftAssessment {
        channels = List.copyOf(channels);
        findings = List.copyOf(findings);
    }

    public boolean hasPathology() {
        return findings.stream().anyMatch(f -> f.statistic().isPathology());
    }
}
