package io.latentflow.cli.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@code ingest PATH...} sends: image files (given, or in folders, recursively unless told not to) and webdataset
 * shards ({@code .tar}), in the order given and in name order within a folder; and every other input with the reason
 * it is not sent. Caption and metadata sidecars ({@code .txt}, {@code .caption}, {@code .json}) travel with the image of
 * their name and are never sent as images; one with no image beside it is set aside, as is img2dataset's bookkeeping
 * ({@code .parquet}, {@code _stats.json}). Files still being written ({@link FilesBeingWritten}) are left for later
 * without a word, as before: the next ingest or {@code --watch} picks them up.
 *
 * @param recursive         read subfolders too; without it each subfolder is set aside, with that reason
 * @param labelsFromFolders label each file by the first-level subfolder of its ingested folder it is in
 */
public record IngestInputs(boolean recursive, boolean labelsFromFolders) {

    /** The inputs found: to send (images and shards), and set aside with a reason. */
    record Found(List<IngestFile> files, List<ImageIngest.Failure> setAside) {
    }

    Found of(List<Path> paths) {
        List<IngestFile> files = new ArrayList<>();
        List<ImageIngest.Failure> setAside = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                folder(path, files, setAside);
            } else if (Files.isRegularFile(path) && IngestSidecars.isDatasetBookkeeping(path.getFileName().toString())) {
                setAside.add(new ImageIngest.Failure(path.toString(), "img2dataset's bookkeeping beside its shards,"
                        + " not an image"));
            } else if (Files.isRegularFile(path) && IngestSidecars.isSidecar(path.getFileName().toString())) {
                setAside.add(new ImageIngest.Failure(path.toString(), "a caption or metadata file: it travels with the"
                        + " image of its name, give that image (or its folder)"));
            } else {
                files.add(new IngestFile(path, null)); // a missing file fails when it is sent, with its reason
            }
        }
        return new Found(files, setAside);
    }

    private void folder(Path folder, List<IngestFile> files, List<ImageIngest.Failure> setAside) {
        List<Path> all;
        try (Stream<Path> walk = recursive ? Files.walk(folder) : Files.list(folder)) {
            all = walk.filter(p -> !p.equals(folder)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder.toAbsolutePath(), e);
        }
        Set<Path> imageStems = new HashSet<>();
        for (Path file : all) {
            String name = file.getFileName().toString();
            if (Files.isRegularFile(file) && !IngestSidecars.isSidecar(name) && !IngestSidecars.isShard(name)) {
                imageStems.add(file.resolveSibling(IngestSidecars.stem(name)));
            }
        }
        for (Path file : all) {
            String name = file.getFileName().toString();
            if (Files.isDirectory(file)) {
                if (isUnder(folder, file)) {
                    continue;
                } else if (name.startsWith(".")) {
                    setAside.add(new ImageIngest.Failure(file.toString(), "a hidden folder, not read"));
                } else if (!recursive) {
                    setAside.add(new ImageIngest.Failure(file.toString(), "a subfolder, not read with --no-recursive"));
                }
            } else if (!Files.isRegularFile(file) || FilesBeingWritten.hasInProgressName(file)
                    || isUnder(folder, file)) {
                continue; // links to nowhere, sockets; names of files still being written (sent once complete)
            } else if (IngestSidecars.isDatasetBookkeeping(name)) {
                setAside.add(new ImageIngest.Failure(file.toString(), "img2dataset's bookkeeping beside its shards,"
                        + " not an image"));
            } else if (IngestSidecars.isSidecar(name)) {
                if (!imageStems.contains(file.resolveSibling(IngestSidecars.stem(name)))) {
                    setAside.add(new ImageIngest.Failure(file.toString(), "a caption or metadata file with no image of"
                            + " its name beside it"));
                }
            } else {
                files.add(new IngestFile(file, folder, labelsFromFolders ? label(folder, file) : null));
            }
        }
    }

    /** Under a hidden folder (.git, .ipynb_checkpoints: not a dataset's), which is set aside whole. */
    private static boolean isUnder(Path folder, Path file) {
        Path relative = folder.relativize(file);
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            if (relative.getName(i).toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The first-level subfolder's name; null for a file at the top of the folder. */
    private static String label(Path folder, Path file) {
        Path relative = folder.relativize(file);
        return relative.getNameCount() > 1 ? relative.getName(0).toString() : null;
    }
}
