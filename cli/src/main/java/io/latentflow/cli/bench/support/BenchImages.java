package io.latentflow.cli.bench.support;

import io.latentflow.cli.common.Home;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The images a pipeline benchmark streams: one folder, copied under distinct names for a long steady state. */
public final class BenchImages {

    @Option(names = "--images", paramLabel = "DIR", description = "Folder of images (default: the shipped sample photos).")
    Path imageFolder;

    @Option(names = "--repeat", defaultValue = "4",
            description = "Copies of the folder streamed per pipeline run, under distinct names, so that its steady"
                    + " state is long against start-up and the final checkpoint (default ${DEFAULT-VALUE}).")
    public int repeat;

    public Path folder() {
        return imageFolder != null ? imageFolder : Home.samples().resolve("photos");
    }

    public FolderCopies copies() throws java.io.IOException {
        return new FolderCopies(folder(), repeat);
    }
}
