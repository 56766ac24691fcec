package io.latentflow.cli;

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
    private final long started = System.nanoTime();
    private final AtomicLong lastPrinted = new AtomicLong(System.nanoTime());

    ReplayProgress(PrintWriter err, long total, long intervalMillis) {
        this.err = err;
        this.total = total;
        this.intervalNanos = intervalMillis * 1_000_000;
    }

    /** Called from the collecting threads with the records done so far. */
    void done(long records) {
        long now = System.nanoTime();
        long last = lastPrinted.get();
        if ((now - last < intervalNanos && records < total) || !lastPrinted.compareAndSet(last, now)) {
            return;
        }
        double seconds = (now - started) / 1e9;
        double rate = seconds > 0 ? records / seconds : 0;
        String eta = rate > 0 ? String.format("%.0f s", (total - records) / rate) : "unknown";
        synchronized (err) {
            err.printf("replay: %d of %d records (%.0f %%), %.1f images/s since the start, ETA %s%n", records, total,
                    100.0 * records / total, rate, eta);
            err.flush();
        }
    }
}
