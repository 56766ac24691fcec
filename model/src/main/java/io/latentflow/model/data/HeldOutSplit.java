package io.latentflow.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which images the promotion gate holds out of a fine-tune. By source when there are enough sources (all images of a
 * held-out source are unseen: the honest test of generalisation); by a hash of each file's CONTENT otherwise, because
 * with a few coarse {@code --source} labels ("photos", "illustrations") a source split would train on one label and
 * judge on the other. Either way an image's side depends only on its name or its bytes, never on the other files, so
 * it keeps its side as the data grows.
 *
 * @param training         images the fine-tune may train on
 * @param heldOut          images only the gate sees
 * @param heldOutSources   the sources of the held-out images
 * @param bySource         true when whole sources were held out, false when images were held out by content hash
 */
public record HeldOutSplit(List<Path> training, List<Path> heldOut, Set<String> heldOutSources, boolean bySource) {

    /** With 6 sources or more, one in six is held out whole and five still train. */
    public static final int MIN_SOURCES_TO_SPLIT_BY_SOURCE = 6;

    public HeldOutSplit {
        training = List.copyOf(training);
        heldOut = List.copyOf(heldOut);
        heldOutSources = Set.copyOf(heldOutSources);
    }

    /**
     * @param fraction share of the sources (by source) or, in expectation, of the images (by content) held out
     */
    public static HeldOutSplit of(List<Path> files, double fraction) {
        return of(files, fraction, false);
    }

    /**
     * A second split of images that are already the training side of {@link #of}: e.g. a validation split for early
     * stopping. By content it takes the other end of the hash range, which the first split never holds out; by source
     * the next-ranked sources.
     */
    public static HeldOutSplit ofRemainder(List<Path> training, double fraction) {
        return of(training, fraction, true);
    }

    private static HeldOutSplit of(List<Path> files, double fraction, boolean upperEnd) {
        Set<String> sources = new TreeSet<>();
        files.forEach(file -> sources.add(sourceOf(file)));
        if (sources.size() >= MIN_SOURCES_TO_SPLIT_BY_SOURCE) {
            SourceSplit<Path> split = SourceSplit.of(files, HeldOutSplit::sourceOf, fraction);
            return new HeldOutSplit(split.training(), split.validation(), split.validationSources(), true);
        }
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction is " + fraction + ": use 0 to below 1");
        }
        List<Path> training = new ArrayList<>();
        List<Path> heldOut = new ArrayList<>();
        Set<String> heldOutSources = new TreeSet<>();
        for (Path file : files) {
            double position = contentPosition(file);
            if (upperEnd ? position >= 1 - fraction : position < fraction) {
                heldOut.add(file);
                heldOutSources.add(sourceOf(file));
            } else {
                training.add(file);
            }
        }
        return new HeldOutSplit(training, heldOut, heldOutSources, false);
    }

    /** How the images were split, for metrics.json and events. */
    public String basis() {
        return bySource ? "source" : "content";
    }

    /** Images a side must still gain, in expectation, for {@code heldOutNeeded} more to be held out. */
    public static int imagesFor(int heldOutNeeded, double fraction) {
        return heldOutNeeded <= 0 ? 0 : (int) Math.ceil(heldOutNeeded / fraction - 1e-9);
    }

    private static String sourceOf(Path file) {
        return SourceSplit.sourceOf(file.getFileName().toString());
    }

    /** The file's sha256 as a number in [0, 1): uniform, and the same wherever the same bytes are. */
    static double contentPosition(Path file) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return (ByteBuffer.wrap(digest).getLong() >>> 11) * 0x1.0p-53;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to place it in the held-out split", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
