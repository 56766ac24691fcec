package io.latentflow.jobs.training;

import io.latentflow.model.drift.DriftStatistic;
import io.latentflow.schemas.DriftAlert;
import io.latentflow.schemas.DriftSeverity;

import java.io.Serializable;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which drift alerts ask for a fine-tune ({@code --finetune-on}): any of QUALITY (an alert whose window the model
 * reconstructs clearly worse than it was validated on, whatever its severity came from), WARNING (any alert of at
 * least WARNING) and CRITICAL (any CRITICAL alert). The default, {@link #DEFAULT}, is QUALITY and CRITICAL: a
 * fine-tune for images the model does badly on, or for a stream far from what it was trained on; not for every
 * warning, most of which are new content that the model still reconstructs as well as its validation images.
 */
public record FineTuneTrigger(Set<Condition> conditions) implements Serializable {

    private static final long serialVersionUID = 1L;

    public enum Condition { QUALITY, WARNING, CRITICAL }

    public static final FineTuneTrigger DEFAULT = parse("QUALITY,CRITICAL");

    public FineTuneTrigger {
        if (conditions.isEmpty()) {
            throw new IllegalArgumentException("--finetune-on needs at least one of QUALITY, WARNING, CRITICAL");
        }
        conditions = Set.copyOf(conditions);
    }

    /** A comma list of QUALITY, WARNING and CRITICAL, in any case. */
    public static FineTuneTrigger parse(String list) {
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        for (String name : list.split(",")) {
            String trimmed = name.trim().toUpperCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                conditions.add(Condition.valueOf(trimmed));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--finetune-on: unknown trigger '" + name.trim() + "'; give a comma"
                        + " list of QUALITY, WARNING and CRITICAL, e.g. QUALITY,CRITICAL");
            }
        }
        return new FineTuneTrigger(conditions);
    }

    /** Whether this alert asks for a fine-tune (an alert back to OK never does). */
    public boolean asksForFineTune(DriftAlert alert) {
        DriftSeverity severity = alert.getSeverity();
        if (severity == DriftSeverity.OK) {
            return false;
        }
        return conditions.contains(Condition.WARNING)
                || conditions.contains(Condition.CRITICAL) && severity == DriftSeverity.CRITICAL
                || conditions.contains(Condition.QUALITY) && alert.getFindings().stream()
                .anyMatch(finding -> DriftStatistic.QUALITY.name().equals(finding.getStatistic()));
    }

    /** E.g. {@code QUALITY,CRITICAL}. */
    @Override
    public String toString() {
        return conditions.stream().sorted().map(Enum::name).collect(Collectors.joining(","));
    }
}
