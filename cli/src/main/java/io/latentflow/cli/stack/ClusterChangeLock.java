package io.latentflow.cli.stack;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Held while a command changes the local cluster's processes: {@code cluster up} while it starts them and while it
 * stops them, {@code cluster restart}, {@code cluster down}. Each reads {@code cluster.json}, starts or stops processes
 * and writes the file back; two at once race: {@code cluster down} stops the pids it read while a restart starts a
 * broker it never hears of (left running, holding the port and the log), or two restarts start two brokers on one log.
 * The lock is {@code <state-dir>/cluster/change.lock}, an operating-system lock the kernel releases when its holder
 * dies, even by kill -9.
 */
public final class ClusterChangeLock {

    static final String NAME = "change";
    private static final Duration RETRY = Duration.ofMillis(500);

    private ClusterChangeLock() {
    }

    /**
     * Takes the lock for {@code command}, or refuses at once.
     *
     * @throws ClusterBusyException when another command holds it: which one, and what to do
     */
    public static ServiceLock take(Path stateDir, String command, PrintWriter say) {
        try {
            return ServiceLock.acquire(stateDir.resolve("cluster"), NAME, command, say);
        } catch (ServiceLock.Held held) {
            throw new ClusterBusyException("another command is changing the cluster of " + stateDir + " ("
                    + held.holder() + "): wait until it has finished, then run '" + command + "' again");
        }
    }

    /**
     * Waits up to {@code patience} for the lock: for {@code cluster up} stopping on Ctrl-C, which must not stop the
     * processes a restart in flight is about to write into {@code cluster.json}. Null when it is still held then:
     * the caller stops what the file names, and says so.
     */
    public static ServiceLock await(Path stateDir, String command, PrintWriter say, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return take(stateDir, command, say);
            } catch (ClusterBusyException busy) {
                if (System.nanoTime() > deadline) {
                    say.println(busy.getMessage() + "; stopping what cluster.json names without waiting longer");
                    say.flush();
                    return null;
                }
                Thread.sleep(RETRY.toMillis());
            }
        }
    }

    /**
     * The lifelong lock of {@code cluster up} ({@link ServiceLock#CLUSTER}): one cluster per state folder; a second
     * {@code cluster up} is refused as busy.
     */
    public static ServiceLock takeCluster(Path stateDir, PrintWriter say) {
        try {
            return ServiceLock.acquire(stateDir, ServiceLock.CLUSTER, "cluster up", say);
        } catch (ServiceLock.Held held) {
            throw new ClusterBusyException("a cluster already runs from " + stateDir + " (" + held.holder()
                    + "): stop it with 'latentflow cluster down' first, or use --state-dir");
        }
    }
}
