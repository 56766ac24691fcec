package io.latentflow.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The files the page is made of, served from the classpath: the page itself and uPlot from its webjar. A fixed table,
 * not a folder: nothing else on the classpath can be fetched through the dashboard.
 */
final class StaticAssets {

    private static final String OWN = "io/latentflow/dashboard/static/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private final Map<String, Asset> byPath;

    private StaticAssets(Map<String, Asset> byPath) {
        this.byPath = byPath;
    }

    static StaticAssets load() {
        String uplot = "META-INF/resources/webjars/uplot/" + webjarVersion() + "/dist/";
        String javascript = "text/javascript; charset=utf-8";
        return new StaticAssets(Map.of(
                "/", asset(OWN + "index.html", "text/html; charset=utf-8", false),
                "/static/dashboard.js", asset(OWN + "dashboard.js", javascript, false),
                "/static/dashboard.css", asset(OWN + "dashboard.css", "text/css; charset=utf-8", false),
                "/static/favicon.svg", asset(OWN + "favicon.svg", "image/svg+xml", true),
                "/vendor/uplot/uPlot.iife.min.js", asset(uplot + "uPlot.iife.min.js", javascript, true),
                "/vendor/uplot/uPlot.min.css", asset(uplot + "uPlot.min.css", "text/css; charset=utf-8", true)));
    }

    Optional<Asset> find(String path) {
        return Optional.ofNullable(byPath.get(path.equals("/index.html") ? "/" : path));
    }

    /** @param immutable a versioned library file, which browsers may cache */
    record Asset(String resource, byte[] bytes, String contentType, boolean immutable) {
    }

    private static Asset asset(String resource, String contentType, boolean immutable) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's file " + resource + " is missing from the classpath;"
                        + " rebuild flink-jobs");
            }
            return new Asset(resource, in.readAllBytes(), contentType, immutable);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        }
    }

    /** The uPlot webjar's version, from its own metadata, so upgrading it is a change of the pom only. */
    private static String webjarVersion() {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot webjar (org.webjars.npm:uplot) is not on the classpath: the"
                        + " dashboard draws its charts with it");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPLOT_POM, e);
        }
    }
}
