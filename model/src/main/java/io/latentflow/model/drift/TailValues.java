package io.latentflow.model.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The {@code capacity} largest values seen, exactly; mergeable. Black holes are counted from these once a window's
 * mean and standard deviation are known, which a single pass cannot know while the values stream by.
 *
 * <p>A primitive min-heap: a value smaller than the smallest kept one (almost every value, once the heap is full)
 * costs one comparison.
 */
final class TailValues {

    private final float[] heap;
    private int size;

    TailValues(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a tail needs room for at least one value, got " + capacity);
        }
        this.heap = new float[capacity];
    }

    void add(float value) {
        if (size < heap.length) {
            heap[size] = value;
            siftUp(size++);
        } else if (value > heap[0]) {
            heap[0] = value;
            siftDown(0);
        }
    }

    void merge(TailValues other) {
        for (int i = 0; i < other.size; i++) {
            add(other.heap[i]);
        }
    }

    int capacity() {
        return heap.length;
    }

    int size() {
        return size;
    }

    /** Whether values may have been dropped: every kept value could be one of more that pass a threshold. */
    boolean isFull() {
        return size == heap.length;
    }

    /** How many kept values are strictly above {@code threshold}. */
    int countAbove(double threshold) {
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (heap[i] > threshold) {
                count++;
            }
        }
        return count;
    }

    float[] values() {
        float[] values = Arrays.copyOf(heap, size);
        Arrays.sort(values);
        return values;
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(heap.length);
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeFloat(heap[i]);
        }
    }

    static TailValues readFrom(DataInput in) throws IOException {
        TailValues tail = new TailValues(in.readInt());
        int size = in.readInt();
        for (int i = 0; i < size; i++) {
            tail.add(in.readFloat());
        }
        return tail;
    }

    private void siftUp(int index) {
        float value = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (heap[parent] <= value) {
                break;
            }
            heap[index] = heap[parent];
            index = parent;
        }
        heap[index] = value;
    }

    private void siftDown(int index) {
        float value = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (value <= heap[child]) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = value;
    }
}
