package io.latentflow.cli.common;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a command's resources up until Ctrl-C, then lets the command close them itself. The JVM halts as soon as its
 * shutdown hooks return, so the hook waits (bounded) for the command to say it has closed everything.
 */
public final class UntilInterrupted {

    private static final Duration CLOSE_GRACE = Duration.ofSeconds(60);

    private final CountDownLatch interrupted = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    public static UntilInterrupted install() {
        UntilInterrupted signal = new UntilInterrupted();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signal.interrupted.countDown();
            try {
                signal.closed.await(CLOSE_GRACE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "until-interrupted"));
        return signal;
    }

    public void await() throws InterruptedException {
        interrupted.await();
    }

    /** Everything is closed: the JVM may halt. */
    public void released() {
        closed.countDown();
    }
}
