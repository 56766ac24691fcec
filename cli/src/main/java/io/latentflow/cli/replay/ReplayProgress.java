package io.latentflow.cli.replay;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a long replay on stderr (stdout keeps the result): records done of the range, rate and time left, at
 * most one line per interval.
 */
final class ReplayProgress {

    private final PrintWriter err;
    private final long total;
    private final long intervalNanos;
    /** From the first record on: the job's start-up (deploying, loading models) is not the replay's rate. */
    private volatile long started;
    private final AtomicLong lastPrinted = new AtomicLong();

    ReplayProgress(PrintWriter err, long total, long intervalMillis) {
        this.err = err;
        this.total = total;
        this.intervalNanos = intervalMillis * 1_000_000;
    }

    /** Called with the records done so far. */
    void done(long records) {
        long now = System.nanoTime();
        if (records == 1 || started == 0) {
            started = now;
            lastPrinted.set(now);
            return;
        }
        long last = lastPrinted.get();
        if ((now - last < intervalNanos && records < total) || !lastPrinted.compareAndSet(last, now)) {
            return;
        }
        double seconds = (now - started) / 1e9;
        double rate = seconds > 0 ? (records - 1) / seconds : 0;
        String eta = rate > 0 ? String.format("%.0f s", (total - records) / rate) : "unknown";
        synchronized (err) {
            err.printf("replay: %d of %d records (%.0f %%), %.1f records/s, ETA %s%n", records, total,
                    100.0 * records / total, rate, eta);
            err.flush();
        }
    }
}
