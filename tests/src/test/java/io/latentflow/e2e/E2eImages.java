package io.latentflow.e2e;

import static org.awaitility.Awaitility.await;

import io.latentflow.schemas.CommittedTopicReader;
import io.latentflow.cli.ingest.ImageIds;
import io.latentflow.schemas.AvroCodec;
import io.latentflow.schemas.LatentRecord;
import io.latentflow.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Image folders the end-to-end tests stream, and the latents they wait for. */
final class E2eImages {

    /** The sample photos shipped with the project. */
    static final Path PHOTOS = Path.of(System.getProperty("latentflow.home"), "samples", "photos");

    private E2eImages() {
    }

    /** The sample photos, in name order. */
    static List<Path> photos() throws Exception {
        return files(PHOTOS);
    }

    /** The image files of {@code folder}, in name order (its README, if any, left out). */
    static List<Path> files(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".md"))
                    .sorted().toList();
        }
    }

    /** The image id {@code ingest} gives {@code file} sent from a folder named {@code source}. */
    static String id(String source, Path file) {
        try {
            return ImageIds.of(source, file.getFileName(), Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The file an ingested image's id names: {@code photos/a.jpg@0123456789ab} is {@code a.jpg}. */
    static String fileName(String imageId) {
        return imageId.substring(imageId.indexOf('/') + 1, imageId.lastIndexOf('@'));
    }

    /** Copies {@code files} into {@code folder}: its name becomes part of each image's id. */
    static Path copies(List<Path> files, Path folder) throws Exception {
        Files.createDirectories(folder);
        for (Path file : files) {
            Files.copy(file, folder.resolve(file.getFileName()));
        }
        return folder;
    }

    /** Waits (3 minutes at most) until {@code latents} holds at least {@code count} committed records; returns them. */
    static List<LatentRecord> awaitLatents(String bootstrapServers, int count) {
        List<List<LatentRecord>> latest = new ArrayList<>(List.of(List.of()));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (CommittedTopicReader reader = new CommittedTopicReader(bootstrapServers)) {
                latest.set(0, reader.readFrom(Topics.LATENTS, Map.of(), AvroCodec.of(LatentRecord.class)));
            }
            return latest.get(0).size() >= count;
        });
        return latest.get(0);
    }
}
