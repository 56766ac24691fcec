package io.latentflow.jobs.encode;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;

import java.io.Serializable;
import java.time.Duration;

/**
 * What Flink does when the job fails: nothing (tests without injected failures, so a fault fails
 * fast), a bounded number of restarts, or Flink's own default (exponential back-off while
 * checkpointing is on), for a long-running deployment.
 */
public record RestartPolicy(String strategy, int attempts, Duration delay) implements Serializable {

    public static RestartPolicy none() {
        return new RestartPolicy("none", 0, Duration.ZERO);
    }

    public static RestartPolicy fixedDelay(int attempts, Duration delay) {
        if (attempts < 1) {
            throw new IllegalArgumentException("restart attempts must be at least 1, got " + attempts);
        }
        return new RestartPolicy("fixed-delay", attempts, delay);
    }

    public static RestartPolicy flinkDefault() {
        return new RestartPolicy("default", 0, Duration.ZERO);
    }

    void applyTo(Configuration configuration) {
        switch (strategy) {
            case "none" -> configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            case "fixed-delay" -> {
                configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
                configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, delay);
            }
            default -> {
                // leave the cluster's or Flink's default in place
            }
        }
    }
}
