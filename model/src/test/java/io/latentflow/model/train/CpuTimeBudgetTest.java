package io.latentflow.model.train;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A CPU-time budget counts the compute of the training thread: not the time it waits for a core on a loaded machine,
 * and not what a callback does off the budget (the learning curve's evaluations).
 */
class CpuTimeBudgetTest {

    private static final long SPIN_NANOS = 200_000_000;

    @Test
    void countsTheThreadsComputeNotItsWaitingNorWorkDoneOffTheBudget() throws Exception {
        TrainingContext context = new TrainingContext(TrainingBudget.cpuMinutes(1), null,
                TrainingContext.LoopPosition.START);

        Thread.sleep(400);
        assertThat(context.elapsed()).as("sleeping uses no CPU").isLessThan(Duration.ofMillis(100));
        assertThat(context.wallTime()).isGreaterThanOrEqualTo(Duration.ofMillis(400));

        Duration before = context.elapsed();
        context.offBudget(() -> spin(SPIN_NANOS));
        assertThat(context.elapsed().minus(before)).as("spinning off the budget")
                .isLessThan(Duration.ofMillis(50));

        spin(SPIN_NANOS);
        assertThat(context.elapsed().minus(before)).as("spinning on the budget")
                .isGreaterThanOrEqualTo(Duration.ofMillis(190));
    }

    @Test
    void aWallClockBudgetCountsWaitingToo() throws Exception {
        TrainingContext context = new TrainingContext(TrainingBudget.minutes(1), null,
                TrainingContext.LoopPosition.START);
        Thread.sleep(300);
        assertThat(context.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(TrainingBudget.minutes(1).clock()).isEqualTo(TrainingClock.WALL);
        assertThat(TrainingBudget.cpuMinutes(1).withSteps(10))
                .isEqualTo(new TrainingBudget(10, Duration.ofMinutes(1), TrainingClock.THREAD_CPU));
    }

    /** Busy until this thread has used {@code nanos} of CPU time, as the JVM measures it. */
    private static Void spin(long nanos) {
        long start = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        double sink = 0;
        while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - start < nanos) {
            sink += Math.sqrt(sink + 1);
        }
        return sink < 0 ? null : null;
    }
}
