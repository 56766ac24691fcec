package io.latentflow.model.train;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * What a time budget counts. Wall-clock time depends on everything else the machine runs: on a shared machine two runs
 * of the same minutes get different compute. The training thread's CPU time does not, as long as the run trains on
 * that thread alone (one intra-op thread: PyTorch then runs every operator, and the CPU backward pass, on the calling
 * thread), which is what an ablation at equal compute needs.
 */
public enum TrainingClock {

    /** Elapsed real time. */
    WALL {
        @Override
        long nanos() {
            return System.nanoTime();
        }
    },

    /** CPU time of the thread that trains (the loop runs on one thread; read only from it). */
    THREAD_CPU {
        @Override
        long nanos() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            if (!threads.isCurrentThreadCpuTimeSupported()) {
                throw new IllegalStateException("this JVM cannot measure a thread's CPU time: use a wall-clock"
                        + " budget (--minutes) instead");
            }
            return threads.getCurrentThreadCpuTime();
        }
    };

    /** A reading in nanoseconds; only differences between two readings on the same thread mean anything. */
    abstract long nanos();

    /** The name metrics.json records. */
    public String id() {
        return this == WALL ? "wall" : "thread-cpu";
    }
}
