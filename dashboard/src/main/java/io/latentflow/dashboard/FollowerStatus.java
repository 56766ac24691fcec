package io.latentflow.dashboard;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** What the topic reader has done, for the page's status line: whether Kafka answers and how much was read. */
final class FollowerStatus {

    private final Map<String, AtomicLong> readByTopic = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean reached;
    private volatile String problem;
    private volatile long lastPollMillis;

    void reached() {
        reached = true;
        problem = null;
    }

    void unreachable(String why) {
        problem = why;
    }

    void failed(RuntimeException e) {
        problem = "stopped reading: " + e;
    }

    void polled() {
        lastPollMillis = System.currentTimeMillis();
    }

    void read(String topic) {
        readByTopic.computeIfAbsent(topic, t -> new AtomicLong()).incrementAndGet();
    }

    void skipped() {
        skipped.incrementAndGet();
    }

    Snapshot snapshot() {
        Map<String, Long> read = new TreeMap<>();
        readByTopic.forEach((topic, count) -> read.put(topic, count.get()));
        return new Snapshot(reached, problem, lastPollMillis == 0 ? null : lastPollMillis, read, skipped.get());
    }

    /**
     * @param reached  whether Kafka has answered at least once
     * @param problem  why reading is not working right now; null when it is
     * @param read     records read per topic
     * @param skipped  records that did not decode and were left out
     */
    record Snapshot(boolean reached, String problem, Long lastPoll, Map<String, Long> read, long skipped) {
    }
}
