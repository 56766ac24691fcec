package io.latentflow.cli.stack;

/**
 * A cluster command refused because another one holds the cluster folder: a second {@code cluster up} while one runs,
 * or a {@code cluster up|restart|down} while another of them changes the processes. Its own exit code, so that a
 * script can tell "try again later" from a failure.
 */
public final class ClusterBusyException extends IllegalStateException {

    public static final int EXIT_CODE = 2;

    public ClusterBusyException(String message) {
        super(message);
    }
}
