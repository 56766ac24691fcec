package io.latentflow.cli.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The one way a command prints its report as JSON: one value (an object, or a list for the listing commands),
 * indented when a person reads it (stdout is a terminal, or {@code --pretty}), else on one line so that a pipe
 * ({@code | jq}, a script reading one line) gets exactly one record.
 */
public final class JsonPrinter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final boolean pretty;

    public JsonPrinter(boolean pretty) {
        this.pretty = pretty;
    }

    /** Indented on a terminal or when asked. */
    public static JsonPrinter forStdout(boolean prettyAsked) {
        return new JsonPrinter(prettyAsked || System.console() != null);
    }

    public void print(PrintWriter out, Object report) {
        out.println(format(report));
        out.flush();
    }

    public String format(Object report) {
        try {
            return pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report)
                    : MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the report as JSON", e);
        }
    }

    /** A report some other module already wrote as JSON text, as a value this printer can print. */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }
}
