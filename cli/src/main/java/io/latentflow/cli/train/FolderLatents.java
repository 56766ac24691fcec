package io.latentflow.cli.train;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The latents of every readable image of a folder, in name order (the order the demo streams them). */
public final class FolderLatents {

    /** One image's latent, with the file it came from. */
    public record Encoded(Path file, float[] latent) {
    }

    private final CachedEncoder encoder;
    private final int batchSize;

    public FolderLatents(ServingModel model, LatentEncoder encoder, int resolution, int batchSize,
                  Optional<LatentCache> cache) {
        this.encoder = new CachedEncoder(model, encoder, resolution, cache);
        this.batchSize = batchSize;
    }

    public List<Encoded> encode(Path folder, PrintWriter progress) throws IOException {
        ModelInputResizer resizer = encoder.resizer();
        ImageDecoder decoder = new ImageDecoder();
        List<Path> files = ImageFolders.files(folder);
        Encoded[] encoded = new Encoded[files.size()];
        List<Integer> pending = new ArrayList<>();
        List<byte[]> pixels = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            Optional<float[]> cached = encoder.cached(file, "");
            if (cached.isPresent()) {
                encoded[i] = new Encoded(file, cached.get());
                continue;
            }
            // a file that is not an image is dead-lettered by the pipeline: the monitor never sees it
            List<byte[]> prepared = ImageFolders.prepare(List.of(file), decoder, resizer, (f, reason) -> { });
            if (!prepared.isEmpty()) {
                pending.add(i);
                pixels.add(prepared.get(0));
            }
            if (pixels.size() == batchSize || (i == files.size() - 1 && !pixels.isEmpty())) {
                encodeBatch(files, pending, pixels, encoded);
                progress.printf("  encoded %d of %d images of %s%n", i + 1, files.size(), folder.getFileName());
                progress.flush();
                pending.clear();
                pixels.clear();
            }
        }
        return Arrays.stream(encoded).filter(e -> e != null).toList();
    }

    private void encodeBatch(List<Path> files, List<Integer> indices, List<byte[]> pixels, Encoded[] into)
            throws IOException {
        List<Path> batchFiles = indices.stream().map(files::get).toList();
        List<float[]> latents = encoder.encode(pixels, batchFiles, java.util.Collections.nCopies(pixels.size(), ""));
        for (int k = 0; k < pixels.size(); k++) {
            into[indices.get(k)] = new Encoded(batchFiles.get(k), latents.get(k));
        }
    }
}
