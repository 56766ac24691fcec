package io.latentflow.jobs.drift;

import io.latentflow.model.drift.WindowAccumulator;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Window state of the latent statistics in its own compact binary form ({@link WindowAccumulator#toBytes}), so
 * checkpoints do not depend on Kryo's view of a sketch library's internals.
 */
public final class WindowAccumulatorSerializer extends TypeSerializerSingleton<WindowAccumulator> {

    private static final long serialVersionUID = 1L;
    public static final WindowAccumulatorSerializer INSTANCE = new WindowAccumulatorSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public WindowAccumulator createInstance() {
        return null;
    }

    @Override
    public WindowAccumulator copy(WindowAccumulator from) {
        return from == null ? null : WindowAccumulator.fromBytes(from.toBytes());
    }

    @Override
    public WindowAccumulator copy(WindowAccumulator from, WindowAccumulator reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(WindowAccumulator record, DataOutputView target) throws IOException {
        byte[] bytes = record.toBytes();
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public WindowAccumulator deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return WindowAccumulator.fromBytes(bytes);
    }

    @Override
    public WindowAccumulator deserialize(WindowAccumulator reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<WindowAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the singleton; the binary form carries its own format number. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<WindowAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
