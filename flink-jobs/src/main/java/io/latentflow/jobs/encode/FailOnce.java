package io.latentflow.jobs.encode;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes one operator of the encode job throw once, after it has seen a given number of elements, to force a restore
 * from the last checkpoint. It fires once per instance across restores because the "already fired" mark lives in a
 * JVM-wide set, which is why it only works where the job runs inside the caller's JVM (a MiniCluster).
 */
public record FailOnce(String id, Stage stage, long afterElements) implements OperatorFaults {

    private static final Set<String> FIRED = ConcurrentHashMap.newKeySet();

    public static FailOnce once(Stage stage, long afterElements) {
        return new FailOnce(UUID.randomUUID().toString(), stage, afterElements);
    }

    /** Throws the first time {@code stage} has seen {@code afterElements} elements, in this JVM. */
    @Override
    public void elementsSeen(Stage at, long elementsSeen) {
        if (at == stage && elementsSeen >= afterElements && FIRED.add(id)) {
            throw new InjectedFailure("injected failure (test only) in " + stage + " after " + elementsSeen + " elements");
        }
    }

    public boolean hasFired() {
        return FIRED.contains(id);
    }

    /** The exception an injected failure throws, so a test can tell it from a real one. */
    public static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
