package io.latentflow.model.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PyTorch profiler's trace of some encoder calls (Chrome trace JSON, as DJL's {@code JniUtils.stopProfile} writes
 * it): each operator's self time (its own duration less the operators it called), summed by name and per call. Self
 * times add up to the time spent in operators without counting a nested one twice ({@code aten::conv2d} calls
 * {@code aten::convolution} calls {@code aten::mkldnn_convolution}).
 *
 * @param selfMillisByOp per call, largest first
 */
public record OpTrace(Map<String, Double> selfMillisByOp) {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Event(String name, long thread, double start, double duration) {
    }

    public static OpTrace read(Path trace, int calls) throws IOException {
        JsonNode root = JSON.readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        List<Event> complete = new ArrayList<>();
        for (JsonNode event : events) {
            if ("X".equals(event.path("ph").asText()) && event.has("dur")) {
                complete.add(new Event(event.path("name").asText(), event.path("tid").asLong(),
                        event.path("ts").asDouble(), event.path("dur").asDouble()));
            }
        }
        return new OpTrace(selfTimes(complete, calls));
    }

    static Map<String, Double> selfTimes(List<Event> events, int calls) {
        Map<String, Double> self = new TreeMap<>();
        Map<Long, List<Event>> byThread = new TreeMap<>();
        events.forEach(event -> byThread.computeIfAbsent(event.thread(), t -> new ArrayList<>()).add(event));
        for (List<Event> thread : byThread.values()) {
            // parents first: earlier start, and of two that start together the longer one
            thread.sort(Comparator.comparingDouble(Event::start).thenComparing(Event::duration, Comparator.reverseOrder()));
            Deque<Event> open = new ArrayDeque<>();
            Map<Event, Double> children = new LinkedHashMap<>();
            for (Event event : thread) {
                while (!open.isEmpty() && open.peek().start() + open.peek().duration() <= event.start()) {
                    open.pop();
                }
                if (!open.isEmpty()) {
                    children.merge(open.peek(), event.duration(), Double::sum);
                }
                open.push(event);
                children.putIfAbsent(event, 0.0);
            }
            children.forEach((event, nested) -> self.merge(event.name(),
                    Math.max(0, event.duration() - nested) / 1000 / calls, Double::sum));
        }
        Map<String, Double> largestFirst = new LinkedHashMap<>();
        self.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(entry -> largestFirst.put(entry.getKey(), entry.getValue()));
        return largestFirst;
    }

    public double totalMillis() {
        return selfMillisByOp.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
