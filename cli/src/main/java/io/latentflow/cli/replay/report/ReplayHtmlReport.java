package io.latentflow.cli.replay.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a replay's {@code report.json} and a self-contained {@code report.html}: inline SVG plots (per-window PSNR of
 * each model with its 95 % band, latent std per channel) and the grid of the worst images as a PNG data URI, so it
 * opens from disk with no network and no other file.
 */
public final class ReplayHtmlReport {

    private static final String[] COLOURS = {"#1f77b4", "#d62728"};
    private static final int WIDTH = 720;
    private static final int HEIGHT = 260;
    private static final int MARGIN = 48;

    private ReplayHtmlReport() {
    }

    /** @param gridDataUri the worst images' grid, or null when there is none */
    public static void write(Path dir, JsonNode report, String gridDataUri) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.json"),
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        Files.writeString(dir.resolve("report.html"), html(report, gridDataUri));
    }

    static String html(JsonNode report, String gridDataUri) {
        List<String> labels = new ArrayList<>();
        report.get("psnr").fieldNames().forEachRemaining(labels::add);
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>latentflow replay</title><style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}")
                .append("</style></head><body>");
        html.append("<h1>Replay of ").append(escape(report.get("range").asText())).append("</h1>");
        html.append("<p>").append(report.get("images").asInt()).append(" images compared, ")
                .append(report.get("rejected").asInt()).append(" rejected; models ");
        for (int m = 0; m < labels.size(); m++) {
            html.append(m > 0 ? ", " : "").append(labels.get(m)).append(" = <code>")
                    .append(escape(report.get("models").get(m).asText())).append("</code>");
        }
        html.append("</p>");
        html.append("<h2>Overall</h2>").append(figuresTable(List.of(report), labels, null));
        html.append("<h2>Per window</h2>").append(windowPlot(report.get("windows"), labels))
                .append(figuresTable(list(report.get("windows")), labels, "start"));
        html.append("<h2>Per source</h2>").append(figuresTable(list(report.get("sources")), labels, "source"));
        html.append("<h2>Latent std per channel</h2>").append(stdPlot(report.get("latent"), labels));
        html.append("<h2>Where ").append(labels.size() > 1 ? "B loses most to A" : "A does worst").append("</h2>");
        if (gridDataUri != null) {
            html.append("<p>input | ").append(String.join(" | ", labels)).append("</p><img alt=\"worst images\" src=\"")
                    .append(gridDataUri).append("\">");
        }
        html.append("<table><tr><th>image</th><th>source</th><th>offset</th>");
        labels.forEach(l -> html.append("<th>PSNR ").append(l).append("</th>"));
        html.append("</tr>");
        for (JsonNode worst : report.get("worst")) {
            html.append("<tr><td>").append(escape(worst.get("imageId").asText())).append("</td><td>")
                    .append(escape(worst.path("source").asText())).append("</td><td>")
                    .append(worst.get("partition").asInt()).append(':').append(worst.get("offset").asLong())
                    .append("</td>");
            labels.forEach(l -> html.append("<td>").append(number(worst.get("psnr").get(l).asDouble(), 2))
                    .append("</td>"));
            html.append("</tr>");
        }
        html.append("</table></body></html>\n");
        return html.toString();
    }

    private static String figuresTable(List<JsonNode> rows, List<String> labels, String key) {
        StringBuilder table = new StringBuilder("<table><tr>");
        if (key != null) {
            table.append("<th>").append(key).append("</th>");
        }
        table.append("<th>images</th>");
        labels.forEach(l -> table.append("<th>PSNR ").append(l).append(" [95 %]</th><th>SSIM ").append(l)
                .append("</th>"));
        if (labels.size() > 1) {
            table.append("<th>PSNR B - A [95 %]</th><th>SSIM B - A</th>");
        }
        table.append("</tr>");
        for (JsonNode row : rows) {
            table.append("<tr>");
            if (key != null) {
                table.append("<td>").append(escape(row.get(key).asText())).append("</td>");
            }
            table.append("<td>").append(row.get("images").asInt()).append("</td>");
            for (String l : labels) {
                JsonNode ci = row.get("psnrCi95").get(l);
                table.append("<td>").append(number(row.get("psnr").get(l).asDouble(), 2)).append(" [")
                        .append(number(ci.get(0).asDouble(), 2)).append(", ").append(number(ci.get(1).asDouble(), 2))
                        .append("]</td><td>").append(number(row.get("ssim").get(l).asDouble(), 4)).append("</td>");
            }
            if (labels.size() > 1) {
                JsonNode delta = row.get("psnrDelta");
                table.append("<td>").append(number(delta.get("mean").asDouble(), 2)).append(" [")
                        .append(number(delta.get("ci95").get(0).asDouble(), 2)).append(", ")
                        .append(number(delta.get("ci95").get(1).asDouble(), 2)).append("]</td><td>")
                        .append(number(row.get("ssimDelta").get("mean").asDouble(), 4)).append("</td>");
            }
            table.append("</tr>");
        }
        return table.append("</table>").toString();
    }

    /** Mean PSNR per window for each model, with its 95 % band. */
    private static String windowPlot(JsonNode windows, List<String> labels) {
        int n = windows.size();
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (JsonNode window : windows) {
            for (String l : labels) {
                low = Math.min(low, window.get("psnrCi95").get(l).get(0).asDouble());
                high = Math.max(high, window.get("psnrCi95").get(l).get(1).asDouble());
            }
        }
        if (high - low < 0.5) {
            low -= 0.25;
            high += 0.25;
        }
        StringBuilder svg = svgStart(String.format(Locale.ROOT, "PSNR dB per window (%.1f to %.1f)", low, high));
        for (int m = 0; m < labels.size(); m++) {
            String l = labels.get(m);
            StringBuilder band = new StringBuilder();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                band.append(point(x(i, n), y(windows.get(i).get("psnrCi95").get(l).get(1).asDouble(), low, high)));
                line.append(point(x(i, n), y(windows.get(i).get("psnr").get(l).asDouble(), low, high)));
            }
            for (int i = n - 1; i >= 0; i--) {
                band.append(point(x(i, n), y(windows.get(i).get("psnrCi95").get(l).get(0).asDouble(), low, high)));
            }
            svg.append("<polygon fill=\"").append(COLOURS[m]).append("\" fill-opacity=\"0.2\" points=\"")
                    .append(band).append("\"/>");
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(COLOURS[m])
                    .append("\" points=\"").append(line).append("\"/>");
            for (int i = 0; i < n; i++) {
                svg.append("<circle r=\"3\" fill=\"").append(COLOURS[m]).append("\" cx=\"")
                        .append(number(x(i, n), 1)).append("\" cy=\"")
                        .append(number(y(windows.get(i).get("psnr").get(l).asDouble(), low, high), 1))
                        .append("\"/>");
            }
            svg.append(legend(m, l));
        }
        return svg.append("</svg>").toString();
    }

    private static String stdPlot(JsonNode latent, List<String> labels) {
        int channels = 0;
        double high = 0;
        for (String l : labels) {
            channels = Math.max(channels, latent.get(l).get("channelStd").size());
            for (JsonNode std : latent.get(l).get("channelStd")) {
                high = Math.max(high, std.asDouble());
            }
        }
        StringBuilder svg = svgStart(String.format(Locale.ROOT, "latent std per channel (0 to %.2f)", high));
        double slot = (WIDTH - 2.0 * MARGIN) / Math.max(1, channels);
        double bar = slot / (labels.size() + 1);
        for (int m = 0; m < labels.size(); m++) {
            JsonNode stds = latent.get(labels.get(m)).get("channelStd");
            for (int c = 0; c < stds.size(); c++) {
                double top = y(stds.get(c).asDouble(), 0, high);
                svg.append("<rect fill=\"").append(COLOURS[m]).append("\" x=\"")
                        .append(number(MARGIN + c * slot + m * bar, 1)).append("\" y=\"").append(number(top, 1))
                        .append("\" width=\"").append(number(bar, 1)).append("\" height=\"")
                        .append(number(HEIGHT - MARGIN - top, 1)).append("\"/>");
            }
            svg.append(legend(m, labels.get(m)));
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder svgStart(String title) {
        return new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\"><text x=\"").append(MARGIN).append("\" y=\"20\">")
                .append(escape(title)).append("</text><line stroke=\"#888\" x1=\"").append(MARGIN).append("\" y1=\"")
                .append(HEIGHT - MARGIN).append("\" x2=\"").append(WIDTH - MARGIN).append("\" y2=\"")
                .append(HEIGHT - MARGIN).append("\"/>");
    }

    private static String legend(int m, String label) {
        return "<text fill=\"" + COLOURS[m] + "\" x=\"" + (WIDTH - MARGIN - 40) + "\" y=\"" + (20 + 16 * m) + "\">"
                + label + "</text>";
    }

    private static double x(int i, int n) {
        return n <= 1 ? WIDTH / 2.0 : MARGIN + i * (WIDTH - 2.0 * MARGIN) / (n - 1);
    }

    private static double y(double value, double low, double high) {
        double span = high - low <= 0 ? 1 : high - low;
        return HEIGHT - MARGIN - (value - low) / span * (HEIGHT - 2.0 * MARGIN - 10);
    }

    private static String point(double x, double y) {
        return number(x, 1) + "," + number(y, 1) + " ";
    }

    private static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> rows = new ArrayList<>();
        array.forEach(rows::add);
        return rows;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
