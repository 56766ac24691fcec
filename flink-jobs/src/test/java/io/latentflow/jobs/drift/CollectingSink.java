package io.latentflow.jobs.drift;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects what a job on a MiniCluster in this JVM writes, by name, for the test to read after the job ended. */
final class CollectingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String name;

    CollectingSink(String name) {
        this.name = name;
        COLLECTED.put(name, new CopyOnWriteArrayList<>());
    }

    @SuppressWarnings("unchecked")
    List<T> collected() {
        return new ArrayList<>((List<T>) (List<?>) COLLECTED.get(name));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> target = COLLECTED.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                target.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }
}
