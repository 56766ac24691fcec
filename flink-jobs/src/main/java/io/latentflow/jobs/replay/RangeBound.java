package io.latentflow.jobs.replay;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * One end of a replay range as a user gives it: the topic's edge (its beginning, or its end now), offsets per
 * partition, or a Kafka record time. {@link ReplayRangeResolver} turns two of them into offsets.
 */
public sealed interface RangeBound {

    /** The beginning of the topic (for a start) or its end when the replay starts (for an end). */
    record Edge() implements RangeBound {
    }

    /** @param offsets partition to offset */
    record Offsets(Map<Integer, Long> offsets) implements RangeBound {
        public Offsets {
            offsets = Map.copyOf(offsets);
        }
    }

    /** The first record whose Kafka timestamp is at or after {@code time}. */
    record Time(Instant time) implements RangeBound {
    }

    RangeBound EDGE = new Edge();

    /** {@code P:O,P:O,...}, e.g. {@code 0:120,1:118}. */
    static Offsets offsets(String option, String text) {
        Map<Integer, Long> offsets = new TreeMap<>();
        for (String entry : text.split(",")) {
            String[] parts = entry.trim().split(":");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(parts[0].trim());
                long offset = Long.parseLong(parts[1].trim());
                if (partition < 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                if (offsets.put(partition, offset) != null) {
                    throw new IllegalArgumentException(option + " " + text + ": partition " + partition
                            + " is named twice");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " " + text + ": '" + entry + "' is not PARTITION:OFFSET;"
                        + " give e.g. " + option + " 0:120,1:118");
            }
        }
        return new Offsets(offsets);
    }

    /** An ISO-8601 instant, e.g. {@code 2026-11-30T06:00:00Z}. */
    static Time time(String option, String text) {
        try {
            return new Time(Instant.parse(text.trim()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " " + text + ": not an ISO-8601 instant; give e.g. " + option
                    + " 2026-11-30T06:00:00Z");
        }
    }
}
