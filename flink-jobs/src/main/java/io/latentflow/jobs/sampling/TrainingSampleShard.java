package io.latentflow.jobs.sampling;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.jobs.encode.PreparedImage;
import io.latentflow.registry.samples.TrainingSampleLayout;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * One window's samples of one source as a WebDataset shard: per image {@code <key>.png} (the model input: decoded,
 * resized and cropped exactly as the encoder saw it, lossless) and {@code <key>.json} (where it came from: topic,
 * partition, offset, source, event time, content hash). Its object key is a function of the window and the source, so
 * a window that fires again after a restore writes the same object again: exactly one shard per window and source.
 */
public final class TrainingSampleShard {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingSampleShard() {
    }

    /** The tar of {@code samples}, in the given order. */
    public static byte[] tar(List<SampledImage> samples) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (SampledImage sample : samples) {
                add(tar, sample.image.sampleKey + TrainingSampleLayout.IMAGE_SUFFIX, png(sample.image));
                add(tar, sample.image.sampleKey + TrainingSampleLayout.METADATA_SUFFIX, metadata(sample));
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build a training-sample shard: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setModTime(0); // the same bytes on every replay
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    static byte[] png(PreparedImage image) throws IOException {
        int side = image.size;
        BufferedImage rgb = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        byte[] pixels = image.pixels;
        for (int y = 0, i = 0; y < side; y++) {
            for (int x = 0; x < side; x++, i += 3) {
                rgb.setRGB(x, y, (pixels[i] & 0xff) << 16 | (pixels[i + 1] & 0xff) << 8 | (pixels[i + 2] & 0xff));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(rgb, "png", png);
        return png.toByteArray();
    }

    private static byte[] metadata(SampledImage sample) throws IOException {
        PreparedImage image = sample.image;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("imageId", image.imageId);
        json.put("source", image.source);
        json.put("topic", image.topic);
        json.put("partition", image.partition);
        json.put("offset", image.offset);
        json.put("eventTime", Instant.ofEpochMilli(image.eventTime).toString());
        json.put("contentSha256", sample.contentHash);
        json.put("size", image.size);
        json.put("attributes", image.attributes);
        return JSON.writeValueAsString(json).getBytes(StandardCharsets.UTF_8);
    }
}
