package io.latentflow.model.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits files into training and validation BY SOURCE IMAGE: all tiles of one photo land on the same side, so
 * validation figures are measured on photos the model never saw. Which sources validate depends only on their names
 * (ranked by sha256), not on the seed or on the other files, so a source keeps its side as a folder grows.
 *
 * @param training   items of the training sources
 * @param validation items of the validation sources
 */
public record SourceSplit<T>(List<T> training, List<T> validation, Set<String> validationSources) {

    /** One in six sources validates: 2 of the 12 sample photos. */
    public static final double DEFAULT_VALIDATION_FRACTION = 1.0 / 6;

    private static final Pattern TILE_NAME = Pattern.compile("(.+)_s\\d+_[^_]+");

    /**
     * The source photo a file was cut from: for tile names {@code <source>_s<scale>_<tile>.<ext>} the part before
     * {@code _s<digits>_}; for any other name the name without its extension.
     */
    public static String sourceOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
        Matcher matcher = TILE_NAME.matcher(stem);
        return matcher.matches() ? matcher.group(1) : stem;
    }

    /**
     * Splits items whose sources are given by {@code sourceOf}. With one source there is nothing to validate on:
     * everything trains and validation is empty.
     */
    public static <T> SourceSplit<T> of(List<T> items, Function<T, String> sourceOf, double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction is " + validationFraction + ": use 0 to below 1");
        }
        Set<String> sources = new TreeSet<>();
        items.forEach(item -> sources.add(sourceOf.apply(item)));
        int validationCount = sources.size() < 2 || validationFraction == 0 ? 0
                : (int) Math.max(1, Math.min(sources.size() - 1, Math.round(sources.size() * validationFraction)));
        List<String> ranked = new ArrayList<>(sources);
        ranked.sort(Comparator.comparing(SourceSplit::rank));
        Set<String> validationSources = new TreeSet<>(ranked.subList(0, validationCount));
        List<T> training = new ArrayList<>();
        List<T> validation = new ArrayList<>();
        for (T item : items) {
            (validationSources.contains(sourceOf.apply(item)) ? validation : training).add(item);
        }
        return new SourceSplit<>(List.copyOf(training), List.copyOf(validation), Set.copyOf(validationSources));
    }

    private static String rank(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest) + source;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
