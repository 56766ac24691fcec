package io.latentflow.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP side: the page and its assets, and JSON over the history.
 *
 * <pre>
 * GET /                                    the page
 * GET /api/status                          what the topic reader has read, and whether reconstructions work
 * GET /api/models                          model versions seen, latest first, with their drift state; and those
 *                                          available to decode with (shipped, or under models/ in the bucket)
 * GET /api/windows?model=M&amp;after=S          window summaries of M that arrived after S, in event-time order
 * GET /api/windows/latest?model=M          the latest window of M in full: quantiles, histograms, worst images
 * GET /api/alerts?model=M&amp;after=S           alerts (of M, or all) that arrived after S
 * GET /api/training                        the latest training request's progress (null before any), and the
 *                                          training samples stored and since the serving version's promotion
 * GET /api/reconstructions/{seq}/{i}.png   worst image i of window seq, decoded by its model
 * </pre>
 * Without {@code model}, the model with the latest window. {@code next} in an answer is the {@code after} to pass to
 * get only what is newer.
 */
final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final Pattern RECONSTRUCTION = Pattern.compile("/api/reconstructions/(\\d{1,18})/(\\d{1,4})\\.png");
    /** Everything comes from this server: the page works offline, and nothing else can be injected into it. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self';"
            + " img-src 'self'; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private final HttpServer server;
    private final ExecutorService threads;
    private final StatsHistory history;
    private final FollowerStatus follower;
    private final Reconstructions reconstructions;
    private final ModelCatalog catalog;
    private final TrainingView training;
    private final TrainingSamplesView samples;
    private final EncodeJobCounters counters;
    private final StaticAssets assets = StaticAssets.load();
    private final ObjectMapper json = new ObjectMapper();

    private DashboardServer(HttpServer server, ExecutorService threads, StatsHistory history, FollowerStatus follower,
                            Reconstructions reconstructions, ModelCatalog catalog, TrainingView training,
                            TrainingSamplesView samples, EncodeJobCounters counters) {
        this.server = server;
        this.threads = threads;
        this.history = history;
        this.follower = follower;
        this.reconstructions = reconstructions;
        this.catalog = catalog;
        this.training = training;
        this.samples = samples;
        this.counters = counters;
    }

    /** @param counters the running encode job's counters, or null to show none */
    static DashboardServer start(String bindAddress, int port, StatsHistory history, FollowerStatus follower,
                                 Reconstructions reconstructions, ModelCatalog catalog, TrainingView training,
                                 TrainingSamplesView samples, EncodeJobCounters counters) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
        } catch (BindException e) {
            throw new IllegalStateException("the dashboard cannot listen on " + bindAddress + ":" + port + " ("
                    + e.getMessage() + "): the port is taken or the address is not this machine's; pick another"
                    + " with --port", e);
        } catch (IOException e) {
            throw new IllegalStateException("the dashboard cannot listen on " + bindAddress + ":" + port + ": "
                    + e.getMessage(), e);
        }
        AtomicInteger count = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "dashboard-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        DashboardServer dashboard = new DashboardServer(server, threads, history, follower, reconstructions, catalog,
                training, samples, counters);
        server.createContext("/", dashboard::handle);
        server.setExecutor(threads);
        server.start();
        return dashboard;
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) {
        try {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                sendError(exchange, 405, method + " is not supported: the dashboard is read-only");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (path.startsWith("/api/")) {
                api(exchange, path, query);
            } else {
                Optional<StaticAssets.Asset> asset = assets.find(path);
                if (asset.isEmpty()) {
                    sendError(exchange, 404, "nothing at " + path + ": the dashboard is at /");
                } else {
                    sendAsset(exchange, asset.get());
                }
            }
        } catch (BadRequest e) {
            sendError(exchange, 400, e.getMessage());
        } catch (IOException e) {
            LOG.debug("Dashboard request {} ended early: {}", exchange.getRequestURI(), e.toString());
        } catch (RuntimeException e) {
            LOG.warn("Dashboard request {} failed: {}", exchange.getRequestURI(), e.toString());
            sendError(exchange, 500, "the dashboard failed to answer: " + e.getMessage());
        } finally {
            exchange.close();
        }
    }

    private void api(HttpExchange exchange, String path, Map<String, String> query) throws IOException {
        switch (path) {
            case "/api/status" -> sendJson(exchange, status());
            case "/api/models" -> {
                ModelCatalog.Listing available = catalog.list();
                sendJson(exchange, ordered("models", history.models(), "available", available.models(),
                        "availableProblem", available.problem()));
            }
            case "/api/windows" -> {
                String model = model(query);
                StatsHistory.Page<WindowSummary> page = history.windows(model, after(query));
                sendJson(exchange, ordered("model", model, "next", page.next(), "windows", page.items()));
            }
            case "/api/windows/latest" -> {
                String model = model(query);
                Optional<WindowDetail> latest = history.latest(model).map(this::withReconstructionPaths);
                sendJson(exchange, ordered("model", model, "window", latest.orElse(null)));
            }
            case "/api/training" -> {
                Map<String, Object> answer = ordered("training", training.latest());
                Map<String, Object> counts = samples.counts();
                if (counts != null) {
                    answer.putAll(counts);
                }
                sendJson(exchange, answer);
            }
            case "/api/alerts" -> {
                StatsHistory.Page<AlertView> page = history.alerts(query.get("model"), after(query));
                sendJson(exchange, ordered("next", page.next(), "alerts", page.items()));
            }
            default -> {
                Matcher reconstruction = RECONSTRUCTION.matcher(path);
                if (reconstruction.matches()) {
                    reconstruction(exchange, Long.parseLong(reconstruction.group(1)),
                            Integer.parseInt(reconstruction.group(2)));
                } else {
                    sendError(exchange, 404, "no API at " + path);
                }
            }
        }
    }

    private Map<String, Object> status() {
        return ordered(
                "topics", follower.snapshot(),
                "reconstructions", ordered("available", reconstructions.available(),
                        "reason", reconstructions.unavailableReason()),
                "duplicatesDropped", duplicatesDropped());
    }

    /** The running encode job's count of records dropped as duplicates; null without one, or when Flink is away. */
    private Long duplicatesDropped() {
        if (counters == null) {
            return null;
        }
        try {
            return counters.duplicatesDroppedByTheRunningJob().orElse(null);
        } catch (IOException e) {
            LOG.debug("Flink's REST API did not answer: {}", e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private WindowDetail withReconstructionPaths(WindowDetail window) {
        if (!reconstructions.available()) {
            return window;
        }
        long seq = window.summary().seq();
        return window.withOutliers(window.outliers().stream()
                .map(o -> o.withReconstruction("/api/reconstructions/" + seq + "/" + o.index() + ".png"))
                .toList());
    }

    private void reconstruction(HttpExchange exchange, long seq, int index) throws IOException {
        Optional<WindowDetail> window = history.window(seq);
        if (window.isEmpty() || index >= window.get().outliers().size()) {
            sendError(exchange, 404, "window " + seq + " has no worst image " + index + " (any more): reload the page");
            return;
        }
        WindowDetail.Outlier outlier = window.get().outliers().get(index);
        byte[] png;
        try {
            png = reconstructions.png(window.get().summary().model(), outlier.imageId());
        } catch (IOException e) {
            sendError(exchange, 503, "cannot show " + outlier.imageId() + ": " + e.getMessage());
            return;
        }
        exchange.getResponseHeaders().set("Cache-Control", "private, max-age=3600");
        send(exchange, 200, "image/png", png);
    }

    private String model(Map<String, String> query) {
        String model = query.get("model");
        if (model != null && !model.isBlank()) {
            return model;
        }
        List<ModelSummary> models = history.models();
        return models.isEmpty() ? null : models.get(0).version();
    }

    private static long after(Map<String, String> query) {
        String after = query.getOrDefault("after", "0");
        try {
            return Long.parseLong(after);
        } catch (NumberFormatException e) {
            throw new BadRequest("after must be a whole number (the 'next' of the previous answer), got '" + after + "'");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            try {
                query.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("the query parameter '" + pair + "' is not URL-encoded correctly");
            }
        }
        return query;
    }

    /** A map that keeps its keys in the order given and accepts nulls, so the JSON reads in a fixed order. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private void sendJson(HttpExchange exchange, Object body) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, 200, "application/json", json.writeValueAsBytes(body));
    }

    private void sendAsset(HttpExchange exchange, StaticAssets.Asset asset) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", asset.immutable() ? "public, max-age=86400" : "no-cache");
        send(exchange, 200, asset.contentType(), asset.bytes());
    }

    private void sendError(HttpExchange exchange, int status, String message) {
        try {
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            send(exchange, status, "application/json", json.writeValueAsBytes(Map.of("error", message)));
        } catch (IOException e) {
            LOG.debug("Dashboard could not answer {} with {}: {}", exchange.getRequestURI(), status, e.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** A request the dashboard cannot answer as asked; its message says what to send instead. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
