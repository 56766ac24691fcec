package io.latentflow.imaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * Folders of image files, read as the encode job reads a streamed image: every regular file in name order, decoded
 * and checked by {@link ImageDecoder}, resized by {@link ModelInputResizer}. Training, evaluation, drift profiles,
 * calibration and the benchmarks all go through here, so they see exactly the pixels the job encodes.
 */
public final class ImageFolders {

    /** Told about each file that is not an acceptable image; the file is skipped. */
    @FunctionalInterface
    public interface RejectionListener {
        void rejected(Path file, ImageRejectedException reason);
    }

    private ImageFolders() {
    }

    /** Every regular file of {@code folder} (not recursive), sorted by name; whether it is an image is decided later. */
    public static List<Path> files(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("Not a folder: " + folder.toAbsolutePath()
                    + " (--images takes a folder of image files)");
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder.toAbsolutePath(), e);
        }
    }

    /** The prepared model inputs (see {@link ModelInputResizer#resize}) of the acceptable images among {@code files}. */
    public static List<byte[]> prepare(List<Path> files, ImageDecoder decoder, ModelInputResizer resizer,
                                       RejectionListener onRejected) {
        List<byte[]> prepared = new ArrayList<>(files.size());
        preparedBatches(files, decoder, resizer, Integer.MAX_VALUE, onRejected).forEachRemaining(prepared::addAll);
        return prepared;
    }

    /**
     * The same, lazily, in batches of at most {@code batchSize} images (the last one may be smaller): a large folder is
     * decoded one batch at a time, never held in memory whole.
     */
    public static Iterator<List<byte[]>> preparedBatches(List<Path> files, ImageDecoder decoder,
                                                         ModelInputResizer resizer, int batchSize,
                                                         RejectionListener onRejected) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size is " + batchSize + ": give at least 1");
        }
        Iterator<Path> remaining = files.iterator();
        return new Iterator<>() {
            private List<byte[]> next = advance();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public List<byte[]> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                List<byte[]> current = next;
                next = advance();
                return current;
            }

            private List<byte[]> advance() {
                List<byte[]> batch = new ArrayList<>();
                while (batch.size() < batchSize && remaining.hasNext()) {
                    Path file = remaining.next();
                    try {
                        batch.add(resizer.resize(decoder.decode(read(file))));
                    } catch (ImageRejectedException e) {
                        onRejected.rejected(file, e);
                    }
                }
                return batch.isEmpty() ? null : batch;
            }
        };
    }

    /** The file's bytes; a file that vanished or cannot be read is an error of the caller's folder, not of an image. */
    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file.toAbsolutePath(), e);
        }
    }
}
