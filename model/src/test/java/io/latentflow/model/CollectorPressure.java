package io.latentflow.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Makes the JVM collect garbage all the time while a test runs, and fills the memory it frees with 1e30: memory that
 * native code reads after Java released it then shows up as huge or non-finite numbers at once, instead of once in a
 * while on some machines. Closing it stops the thread.
 */
public final class CollectorPressure implements AutoCloseable {

    private static final float POISON = 1e30f;

    private final Thread thread;
    private volatile boolean running = true;

    private CollectorPressure() {
        thread = new Thread(this::churn, "collector-pressure");
        thread.setDaemon(true);
        thread.start();
    }

    public static CollectorPressure start() {
        return new CollectorPressure();
    }

    private void churn() {
        while (running) {
            for (int i = 0; i < 64; i++) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(4 << (i % 6)).order(ByteOrder.nativeOrder());
                while (buffer.remaining() >= Float.BYTES) {
                    buffer.putFloat(POISON);
                }
            }
            System.gc();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
