package io.latentflow.jobs.encode;

import java.io.Serializable;

/**
 * Told by the encode job's operators how many elements each has seen, so that a recovery test or drill can make one of
 * them fail at a chosen point ({@link FailOnce}); a collaborator like any other, {@link #NONE} in production.
 */
public interface OperatorFaults extends Serializable {

    /** The operator that reports. */
    enum Stage { DECODE, ENCODE, SHARD_WRITE }

    /** Never fails. */
    OperatorFaults NONE = Never.INSTANCE;

    /** Called before {@code stage} handles its {@code elementsSeen}-th element; may throw to fail the operator. */
    void elementsSeen(Stage stage, long elementsSeen);

    /** An enum: one instance however often it is deserialised. */
    enum Never implements OperatorFaults {
        INSTANCE;

        @Override
        public void elementsSeen(Stage stage, long elementsSeen) {
        }
    }
}
