package io.latentflow.model.store;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The one way a name from outside data (a Kafka record's field, a tar member, a manifest entry, a model version, an
 * object key's last part) becomes a path: only a plain name (letters, digits, '.', '_', '-', starting with a letter or
 * digit, at most 128 characters) is accepted, so no name can climb out of the folder it is resolved in ({@code ..},
 * {@code /etc/passwd}, {@code a/../../b} and empty names are refused, naming what was refused).
 */
public final class PlainNames {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private PlainNames() {
    }

    public static boolean isPlain(String name) {
        return name != null && PLAIN.matcher(name).matches();
    }

    /**
     * {@code dir/name}.
     *
     * @param what what the name is, for the error ("training request id", "tar member")
     * @throws IllegalArgumentException when {@code name} is not a plain name
     */
    public static Path resolve(Path dir, String name, String what) {
        if (!isPlain(name)) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a plain name (letters, digits, '.', '_'"
                    + " or '-', starting with a letter or digit, at most 128 characters): refused as a file name");
        }
        Path resolved = dir.resolve(name);
        if (!resolved.normalize().getParent().equals(dir.normalize())) {
            throw new IllegalArgumentException(what + " '" + name + "' would leave " + dir); // unreachable for plain
        }
        return resolved;
    }
}
