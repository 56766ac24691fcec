package io.latentflow.model.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@link PromotionGate} decided about a candidate.
 *
 * @param candidate the candidate version
 * @param serving   the version it was compared with
 * @param passed    whether every check held
 * @param reason    for people and for the model-events: what decided it, with the figures
 * @param failures  each check that failed, in the gate's order; empty when it passed
 * @param figures   everything measured, flat (e.g. {@code recent.psnr}, {@code older.psnrChange}), for the
 *                  PROMOTED/REJECTED event and {@code --json}
 */
public record GateVerdict(String candidate, String serving, boolean passed, String reason, List<String> failures,
                          Map<String, Double> figures) {

    public GateVerdict {
        failures = List.copyOf(failures);
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    }
}
