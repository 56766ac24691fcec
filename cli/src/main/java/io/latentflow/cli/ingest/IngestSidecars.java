package io.latentflow.cli.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What travels beside an image in a dataset: a caption ({@code <name>.txt}, {@code <name>.caption}) and metadata
 * ({@code <name>.json}), as files beside an image in a folder or as members of a webdataset sample; and which names are
 * such sidecars (or img2dataset's bookkeeping beside its shards), so they are never sent as images.
 *
 * <p>Metadata goes into the record's attributes only as far as the encode job's caps allow (it refuses a record over
 * 64 attributes or 16 KB of them): top-level strings, numbers and booleans, each value up to
 * {@value #MAX_METADATA_VALUE_BYTES} bytes, at most {@value #MAX_METADATA_FIELDS} fields and
 * {@value #MAX_METADATA_BYTES} bytes in all; what is left out is counted in the attribute {@value #LEFT_OUT}.
 */
public final class IngestSidecars {

    static final Set<String> CAPTION_EXTENSIONS = Set.of("txt", "caption");
    static final String METADATA_EXTENSION = "json";
    static final int MAX_METADATA_FIELDS = 40;
    static final int MAX_METADATA_BYTES = 8 * 1024;
    static final int MAX_METADATA_VALUE_BYTES = 1024;
    /** Larger caption or metadata files are refused, not read: the job caps a caption at 16 KB anyway. */
    static final int MAX_SIDECAR_BYTES = 1024 * 1024;
    static final String LEFT_OUT = "metadataFieldsLeftOut";
    /** Fields of img2dataset's sample JSON that say whether the download worked. */
    static final String STATUS = "status";

    private static final ObjectMapper JSON = new ObjectMapper();

    private IngestSidecars() {
    }

    /** A caption or metadata file, by its extension. */
    static boolean isSidecar(String fileName) {
        String extension = extension(fileName);
        return CAPTION_EXTENSIONS.contains(extension) || METADATA_EXTENSION.equals(extension);
    }

    /** What img2dataset writes beside each shard ({@code 00000.parquet}, {@code 00000_stats.json}): no image. */
    static boolean isDatasetBookkeeping(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        return lower.endsWith(".parquet") || lower.endsWith("_stats.json");
    }

    static boolean isShard(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".tar");
    }

    /** After the last dot, lower case; "" for none. */
    public static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Before the last dot. */
    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot <= 0 ? fileName : fileName.substring(0, dot);
    }

    /** The caption of {@code image} from {@code <stem>.txt} or {@code <stem>.caption} beside it, or null. */
    static String captionBeside(Path image) throws BadSidecarException {
        for (String extension : new String[]{"txt", "caption"}) {
            Path sidecar = image.resolveSibling(stem(image.getFileName().toString()) + "." + extension);
            if (Files.isRegularFile(sidecar)) {
                return caption(read(sidecar), sidecar.getFileName().toString());
            }
        }
        return null;
    }

    /** The metadata of {@code image} from {@code <stem>.json} beside it, or null. */
    static JsonNode metadataBeside(Path image) throws BadSidecarException {
        Path sidecar = image.resolveSibling(stem(image.getFileName().toString()) + ".json");
        return Files.isRegularFile(sidecar) ? metadata(read(sidecar), sidecar.getFileName().toString()) : null;
    }

    /**
     * The caption in {@code bytes}: UTF-8 text exactly as written, less line breaks at its end (an editor's final
     * newline is not part of the caption).
     */
    static String caption(byte[] bytes, String name) throws BadSidecarException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadSidecarException("its caption " + name + " is not UTF-8 text: save it as UTF-8");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }

    /** The JSON object in {@code bytes}. */
    static JsonNode metadata(byte[] bytes, String name) throws BadSidecarException {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new BadSidecarException("its metadata " + name + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new BadSidecarException("its metadata " + name + " is not JSON: " + e.getMessage().lines()
                    .findFirst().orElse(""));
        }
    }

    /**
     * The attributes {@code metadata} adds, within the caps; fields named in {@code taken} are left to their owner
     * (the ingest's own {@code file} and {@code sha256}).
     */
    static Map<String, String> attributes(JsonNode metadata, Set<String> taken) {
        Map<String, String> attributes = new LinkedHashMap<>();
        if (metadata == null) {
            return attributes;
        }
        int bytes = 0;
        int leftOut = 0;
        for (Iterator<Map.Entry<String, JsonNode>> fields = metadata.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isNull() || taken.contains(field.getKey())) {
                continue;
            }
            if (!value.isValueNode()) {
                leftOut++;
                continue;
            }
            String text = value.asText();
            int size = utf8(field.getKey()) + utf8(text);
            if (utf8(text) > MAX_METADATA_VALUE_BYTES || attributes.size() >= MAX_METADATA_FIELDS
                    || bytes + size > MAX_METADATA_BYTES) {
                leftOut++;
                continue;
            }
            attributes.put(field.getKey(), text);
            bytes += size;
        }
        if (leftOut > 0) {
            attributes.put(LEFT_OUT, String.valueOf(leftOut));
        }
        return attributes;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] read(Path sidecar) throws BadSidecarException {
        try {
            long size = Files.size(sidecar);
            if (size > MAX_SIDECAR_BYTES) {
                throw new BadSidecarException(sidecar.getFileName() + " beside it is " + size + " bytes, over the "
                        + MAX_SIDECAR_BYTES + " a caption or metadata file may have");
            }
            return Files.readAllBytes(sidecar);
        } catch (IOException e) {
            throw new BadSidecarException(sidecar.getFileName() + " beside it cannot be read: " + e.getMessage());
        }
    }

    /** A caption or metadata file that cannot be read as one: its image is not sent, with this reason. */
    static final class BadSidecarException extends Exception {
        BadSidecarException(String message) {
            super(message);
        }
    }
}
