package io.latentflow.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The released versions of one record schema, oldest first, as packaged under
 * {@code avro-history/<RecordName>/v<N>.avsc}. Readers use them to resolve records written
 * by producers that still run an older release.
 *
 * <p>Versions are numbered from 1 without gaps; loading stops at the first missing number.
 * Each file must parse on its own (named types it uses are written inline).
 */
public final class SchemaHistory implements Serializable {

    private static final long serialVersionUID = 1L;
    static final String RESOURCE_ROOT = "avro-history/";

    private final String recordName;
    // Schema JSON rather than Schema objects: plain strings serialize the same on every JVM.
    private final List<String> versions;

    private SchemaHistory(String recordName, List<String> versions) {
        this.recordName = recordName;
        this.versions = List.copyOf(versions);
    }

    /** The versions packaged with the class's jar; empty if none were released. */
    public static SchemaHistory released(Class<? extends SpecificRecord> type) {
        String recordName = type.getSimpleName();
        ClassLoader loader = type.getClassLoader();
        List<String> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String resource = resourcePath(recordName, version);
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    break;
                }
                versions.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read released schema " + resource, e);
            }
        }
        return new SchemaHistory(recordName, versions);
    }

    static String resourcePath(String recordName, int version) {
        return RESOURCE_ROOT + recordName + "/v" + version + ".avsc";
    }

    /** This history plus one more writer schema; lets tests stand in for a future or past release. */
    SchemaHistory with(Schema writerSchema) {
        List<String> more = new ArrayList<>(versions);
        more.add(writerSchema.toString());
        return new SchemaHistory(recordName, more);
    }

    public String recordName() {
        return recordName;
    }

    /** Parsed versions, oldest first. */
    public List<Schema> schemas() {
        List<Schema> schemas = new ArrayList<>(versions.size());
        for (int i = 0; i < versions.size(); i++) {
            try {
                // One parser per version: versions share type names, which one parser would refuse.
                schemas.add(new Schema.Parser().parse(versions.get(i)));
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "Released schema " + resourcePath(recordName, i + 1) + " does not parse: " + e.getMessage(), e);
            }
        }
        return schemas;
    }

    public int size() {
        return versions.size();
    }
}
