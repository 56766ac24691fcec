package io.latentflow.schemas;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoding of one in-memory message that refuses any length or item count larger
 * than the bytes left. Avro's own decoders allocate what a length prefix claims before reading
 * it, so one corrupt prefix could ask for gigabytes and kill the task with OutOfMemoryError.
 *
 * <p>Item counts are bounded by the bytes left because every item of this project's arrays and
 * maps takes at least one byte (no arrays of null or of empty records).
 */
final class BoundedBinaryDecoder extends Decoder {

    private final ByteArrayInputStream remaining;
    // Direct (unbuffered) decoding keeps remaining.available() exact.
    private final BinaryDecoder in;

    BoundedBinaryDecoder(byte[] bytes, int offset, int length) {
        this.remaining = new ByteArrayInputStream(bytes, offset, length);
        this.in = DecoderFactory.get().directBinaryDecoder(remaining, null);
    }

    int bytesLeft() {
        return remaining.available();
    }

    private int checkedLength(int length) throws IOException {
        if (length < 0) {
            throw new IOException("a length prefix is negative (" + length + ")");
        }
        if (length > bytesLeft()) {
            throw new EOFException("a length prefix claims " + length + " bytes but only " + bytesLeft() + " are left");
        }
        return length;
    }

    private long checkedCount(long count) throws IOException {
        if (count > bytesLeft()) {
            throw new EOFException("a block claims " + count + " items but only " + bytesLeft() + " bytes are left");
        }
        return count;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength(in.readInt());
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = checkedLength(in.readInt());
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, checkedLength(length));
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedCount(in.readArrayStart());
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedCount(in.arrayNext());
    }

    @Override
    public long readMapStart() throws IOException {
        return checkedCount(in.readMapStart());
    }

    @Override
    public long mapNext() throws IOException {
        return checkedCount(in.mapNext());
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void skipString() throws IOException {
        in.skipString();
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipBytes();
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long skipArray() throws IOException {
        return in.skipArray();
    }

    @Override
    public long skipMap() throws IOException {
        return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
