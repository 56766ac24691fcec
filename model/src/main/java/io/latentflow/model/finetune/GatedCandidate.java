package io.latentflow.model.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.model.data.HeldOutSplit;
import io.latentflow.model.eval.GateThresholds;
import io.latentflow.model.eval.GateVerdict;
import io.latentflow.model.store.Manifest;
import io.latentflow.model.store.ModelDirectory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A fine-tuned candidate as the version the registry receives: the trainer's directory, its {@code metrics.json}
 * completed with the promotion gate's verdict ({@code gate}: passed, reason, failures, thresholds, the held-out images,
 * every figure) and, at the top level where {@code latentflow eval} and the registry's PUBLISHED event read them, the
 * candidate's figures on the held-out recent images. The version id, which names the weights, stays.
 */
public final class GatedCandidate {

    /** What the gate held out, for the version's metrics.json: the sources of each set and their image counts. */
    public static Map<String, Object> heldOut(HeldOutSplit recent, HeldOutSplit older) {
        Map<String, Object> heldOut = new LinkedHashMap<>();
        heldOut.put("recentBy", recent.basis());
        heldOut.put("recentSources", List.copyOf(new TreeSet<>(recent.heldOutSources())));
        heldOut.put("recentImages", recent.heldOut().size());
        heldOut.put("olderBy", older.basis());
        heldOut.put("olderSources", List.copyOf(new TreeSet<>(older.heldOutSources())));
        heldOut.put("olderImages", older.heldOut().size());
        return heldOut;
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GatedCandidate() {
    }

    /** @param heldOut which images the gate judged on (sources, counts), recorded with the verdict */
    public static Manifest write(Path candidate, Path target, GateVerdict verdict, GateThresholds thresholds,
                                 Map<String, Object> heldOut) throws IOException {
        ObjectNode metrics = (ObjectNode) JSON.readTree(candidate.resolve(ModelDirectory.METRICS).toFile());
        Map<String, String> topLevel = Map.of("psnr", "recent.psnr", "ssim", "recent.ssim",
                "fractionOutsideUnit", "recent.fractionOutsideUnit", "blackHolePositions", "recent.blackHolePositions");
        topLevel.forEach((name, figure) -> {
            Double value = verdict.figures().get(figure);
            if (value != null) {
                metrics.put(name, value);
            }
        });
        Map<String, Object> gate = new LinkedHashMap<>();
        gate.put("passed", verdict.passed());
        gate.put("servingVersion", verdict.serving());
        gate.put("reason", verdict.reason());
        gate.put("failures", verdict.failures());
        gate.put("thresholds", thresholds);
        gate.put("heldOut", heldOut);
        gate.put("figures", verdict.figures());
        metrics.putPOJO("gate", gate);
        return ModelDirectory.copyWithMetrics(candidate, target, JSON.writeValueAsString(metrics));
    }
}
