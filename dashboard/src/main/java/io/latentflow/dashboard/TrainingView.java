package io.latentflow.dashboard;

import io.latentflow.schemas.TrainingProgress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest training request's progress, from {@code training-progress}: what the dashboard's progress bar shows.
 * Updated by the topic follower's thread, read by the server's.
 */
final class TrainingView {

    private TrainingProgress latest;

    synchronized void add(TrainingProgress progress) {
        if (latest == null || !progress.getTime().isBefore(latest.getTime())) {
            latest = progress;
        }
    }

    /** The latest record as JSON fields, or null when no request was made. */
    synchronized Map<String, Object> latest() {
        if (latest == null) {
            return null;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("requestId", latest.getRequestId());
        view.put("time", latest.getTime().toEpochMilli());
        view.put("state", latest.getState().name());
        view.put("step", latest.getStep());
        view.put("steps", latest.getSteps());
        view.put("fraction", latest.getFraction());
        view.put("loss", latest.getLoss());
        view.put("etaSeconds", latest.getEtaSeconds());
        view.put("servingVersion", latest.getServingVersion());
        view.put("candidateVersion", latest.getCandidateVersion());
        view.put("message", latest.getMessage());
        return view;
    }
}
