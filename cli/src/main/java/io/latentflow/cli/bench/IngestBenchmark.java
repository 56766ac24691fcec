package io.latentflow.cli.bench;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.cli.bench.support.BenchImages;
import io.latentflow.cli.bench.support.EncoderRate;
import io.latentflow.cli.common.EncodeOptions;
import io.latentflow.cli.ingest.ImageIngest;
import io.latentflow.cli.ingest.IngestSidecars;
import io.latentflow.infra.EmbeddedKafka;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Whether ingesting webdataset shards keeps the encode job fed: images/s of {@code ingest} on img2dataset-style shards
 * (image, caption, metadata per sample) into a local broker, against the raw encoder's images/s on the same images at
 * the job's resolution. The ingest should be at least {@value #TARGET_RATIO} times faster.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest images/s of webdataset shards (streamed into an in-process broker) vs the raw encoder's"
                + " images/s at --resolution, and their ratio (target >= 5).")
final class IngestBenchmark implements Callable<Integer> {

    static final int TARGET_RATIO = 5;

    @Spec
    CommandSpec spec;

    @Mixin
    EncodeOptions encode;

    @Mixin
    BenchImages images;

    @Option(names = "--samples", defaultValue = "4000", description = "Samples in the shards (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--samples-per-shard", defaultValue = "1000",
            description = "Samples per shard (default ${DEFAULT-VALUE}; img2dataset writes 10000).")
    int samplesPerShard;

    @Mixin
    JsonOptions output;

    @Override
    public Integer call() throws Exception {
        Path folder = images.folder();
        List<Path> photos = io.latentflow.imaging.ImageFolders.files(folder).stream()
                .filter(f -> ImageIngest.IMAGE_EXTENSIONS.contains(IngestSidecars.extension(f.getFileName().toString())))
                .toList();
        if (photos.isEmpty()) {
            throw new IllegalArgumentException(folder + " holds no .jpg, .png or .webp images to put in shards");
        }
        Path work = Files.createTempDirectory("latentflow-bench-ingest");
        try {
            List<Path> shards = writeShards(photos, work.resolve("shards"));
            long shardBytes = 0;
            for (Path shard : shards) {
                shardBytes += Files.size(shard);
            }
            ImageIngest.Report report;
            double ingestSeconds;
            try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                 ImageIngest ingest = new ImageIngest(kafka.settings(), Topics.IMAGES, null,
                         ImageIngest.Limits.DEFAULTS)) {
                ingest.send(List.of(shards.get(0)), null, Instant.now(), Duration.ZERO); // warm-up: JIT, topic
                long start = System.nanoTime();
                report = ingest.send(shards, null, Instant.now(), Duration.ofMillis(10));
                ingestSeconds = (System.nanoTime() - start) / 1e9;
            }
            if (!report.failed().isEmpty()) {
                throw new IllegalStateException("the ingest failed " + report.failed().size() + " sample(s), first: "
                        + report.failed().get(0));
            }
            EncoderRate.Measured raw = EncoderRate.overFolder(encode, folder, 1);
            double ingestPerSecond = report.sent() / ingestSeconds;
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("model", raw.modelVersion());
            figures.put("resolution", encode.resolution);
            figures.put("batchSize", encode.batchSize);
            figures.put("shards", shards.size());
            figures.put("samplesSent", report.sent());
            figures.put("shardMegabytes", round(shardBytes / 1e6));
            figures.put("ingestSeconds", round(ingestSeconds));
            figures.put("ingestImagesPerSecond", round(ingestPerSecond));
            figures.put("rawEncoderImagesPerSecond", round(raw.imagesPerSecond()));
            figures.put("ratio", round(ingestPerSecond / raw.imagesPerSecond()));
            PrintWriter out = spec.commandLine().getOut();
            if (output.json()) {
                output.print(out, figures);
            } else {
                out.printf("%ningest benchmark: %d samples in %d webdataset shards (%.1f MB; image, caption, metadata"
                        + " each), model %s at %d px, batch %d%n", report.sent(), shards.size(), shardBytes / 1e6,
                        raw.modelVersion(), encode.resolution, encode.batchSize);
                out.printf("  ingest (shards -> acknowledged records): %9.1f images/s%n", ingestPerSecond);
                out.printf("  raw encoder (DJL forward alone):         %9.1f images/s%n", raw.imagesPerSecond());
                out.printf("  ratio ingest / encoder:                  %9.1f (target >= %d)%n",
                        ingestPerSecond / raw.imagesPerSecond(), TARGET_RATIO);
            }
            out.flush();
            return 0;
        } finally {
            ModelDirectory.deleteRecursively(work);
        }
    }

    /** {@code --samples} samples as img2dataset lays them out: {@code <key>.jpg}, {@code .txt}, {@code .json}. */
    private List<Path> writeShards(List<Path> photos, Path folder) throws IOException {
        Files.createDirectories(folder);
        List<byte[]> bytes = new ArrayList<>();
        for (Path photo : photos) {
            bytes.add(Files.readAllBytes(photo));
        }
        List<Path> shards = new ArrayList<>();
        for (int first = 0; first < samples; first += samplesPerShard) {
            Path shard = folder.resolve(String.format(Locale.ROOT, "%05d.tar", shards.size()));
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(shard))) {
                for (int i = first; i < Math.min(samples, first + samplesPerShard); i++) {
                    String key = String.format(Locale.ROOT, "%09d", i);
                    Path photo = photos.get(i % photos.size());
                    // a byte of its own at the end of each copy, as the same photo is many images here
                    byte[] original = bytes.get(i % bytes.size());
                    byte[] image = Arrays.copyOf(original, original.length + 4);
                    ByteBuffer.wrap(image, original.length, 4).putInt(i);
                    member(tar, key + "." + IngestSidecars.extension(photo.getFileName().toString()), image);
                    member(tar, key + ".txt", ("a photo, " + photo.getFileName() + ", sample " + i)
                            .getBytes(StandardCharsets.UTF_8));
                    member(tar, key + ".json", ("{\"key\": \"" + key + "\", \"status\": \"success\", \"url\":"
                            + " \"https://example.org/" + key + "\", \"width\": 1280, \"height\": 853}")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            shards.add(shard);
        }
        return shards;
    }

    private static void member(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
