package io.latentflow.cli.train;

import io.latentflow.cli.common.JsonOptions;
import io.latentflow.imaging.ImageFolders;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ModelInputBatch;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.jobs.drift.ReferenceProfiles;
import io.latentflow.jobs.encode.ModelLocation;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ReferenceProfile;
import io.latentflow.model.eval.ComparisonGrid;
import io.latentflow.model.eval.EvaluationOptions;
import io.latentflow.model.eval.EvaluationReport;
import io.latentflow.model.eval.EvaluationTable;
import io.latentflow.model.eval.Evaluator;
import io.latentflow.model.eval.ImageBatch;
import io.latentflow.model.eval.ValidationPsnr;
import io.latentflow.model.store.InvalidModelDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code latentflow eval}: measures a model version on a folder of images, decoded and resized as the pipeline does. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Reconstruction PSNR/SSIM, latent statistics, black holes, robustness to latent noise, the"
                + " latents' DCT spectrum beside the images' and the PSNR of decoding downsampled latents, of a"
                + " model on every image of a folder.")
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR|default",
            description = "A model version directory, or 'default' for the shipped default model.")
    String model;

    @Option(names = "--images", required = true, paramLabel = "DIR",
            description = "Folder whose files are evaluated; files that are not images are skipped with a warning.")
    Path images;

    @Option(names = "--size", defaultValue = "256", description = "Side of the square model input (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--batch", defaultValue = "16", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    JsonOptions output;

    @Option(names = "--grid", paramLabel = "FILE.png",
            description = "Also write originals, reconstructions and latent channels of the first images, and a"
                    + " plot of the latents' spectrum beside the images', as a PNG.")
    Path grid;

    @Option(names = "--grid-images", defaultValue = "8", description = "Rows of the --grid picture (default ${DEFAULT-VALUE}).")
    int gridImages;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the robustness noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--noise", split = ",", paramLabel = "STD",
            description = "Gaussian noise added to the latents before decoding, in units of each channel's std, one"
                    + " PSNR per level (default 0.05,0.1,0.2).")
    List<Double> noise;

    @Option(names = "--denoised",
            description = "Denoise the noisy latents before decoding as the optimal linear denoiser of each channel's"
                    + " mean and variance would (shrunk towards the mean), as a diffusion sampler's last step errs.")
    boolean denoised;

    private static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EvalCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || gridImages < 1) {
            err().println("eval: --batch and --grid-images must be at least 1, got " + batch + " and " + gridImages);
            return USAGE;
        }
        try {
            return evaluate();
        } catch (IllegalArgumentException | InvalidModelDirectoryException e) {
            // Bad input (folder, size, model directory): the message says what to do; a stack trace would not.
            err().println("eval: " + e.getMessage());
            return USAGE;
        }
    }

    private int evaluate() throws IOException {
        try (ServingModel served = "default".equals(model) ? ServingModel.loadDefault() : ServingModel.load(Path.of(model))) {
            FolderBatches folder = new FolderBatches(images, new ModelInputResizer(size,
                    served.config().downsamplingFactor()), batch, err());
            ComparisonGrid pictures = grid == null ? null : new ComparisonGrid(gridImages);
            EvaluationOptions options = EvaluationOptions.defaults().withSeed(seed)
                    .withNoiseSigmas(noise != null ? noise : EvaluationOptions.DEFAULT_NOISE_SIGMAS)
                    .withDenoised(denoised);
            // black holes against the version's own reference, as the drift monitor counts them
            Optional<ReferenceProfile> reference = ReferenceProfiles.stored(ModelLocation.parse(model));
            List<Double> perImage = new ArrayList<>();
            EvaluationReport report = Evaluator.evaluate(served, folder,
                    reference.map(options::withBlackHoleReference).orElse(options), pictures, perImage::add);
            // the distribution the drift monitor's QUALITY statistic reads from a version's metrics.json
            ValidationPsnr psnrs = ValidationPsnr.of(size, perImage.stream().mapToDouble(Double::doubleValue).toArray());
            if (pictures != null) {
                pictures.writePng(grid);
                err().println("wrote " + grid.toAbsolutePath());
            }
            if (output.json()) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode out = mapper.valueToTree(report);
                out.put("skippedFiles", folder.skipped());
                out.put("robustnessDenoised", denoised);
                out.putPOJO(ValidationPsnr.METRICS_FIELD, psnrs.toJson());
                output.print(out(), out);
            } else {
                out().print(EvaluationTable.format(report));
                if (denoised) {
                    out().println("(robustness: the noisy latents were denoised, --denoised)");
                }
                out().printf(java.util.Locale.ROOT, "PSNR per image   5%% %.2f, median %.2f, 95%% %.2f dB%n",
                        psnrs.at(0.05), psnrs.median(), psnrs.at(0.95));
                out().println("skipped files    " + folder.skipped());
            }
            out().flush();
        }
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * The images of a folder as model batches, decoded again on every iteration (the evaluator reads them twice)
     * rather than held in memory. Files that fail to decode are warned about once and skipped.
     */
    static final class FolderBatches implements Iterable<ImageBatch> {

        private final List<Path> files;
        private final ModelInputResizer resizer;
        private final int batchSize;
        private final ImageDecoder decoder = new ImageDecoder();
        private final Set<Path> rejected = new HashSet<>();
        private final PrintWriter warnings;
        private boolean scanned;

        FolderBatches(Path folder, ModelInputResizer resizer, int batchSize, PrintWriter warnings) {
            this.files = ImageFolders.files(folder);
            this.resizer = resizer;
            this.batchSize = batchSize;
            this.warnings = warnings;
        }

        int skipped() {
            return rejected.size();
        }

        @Override
        public Iterator<ImageBatch> iterator() {
            boolean firstPass = !scanned;
            scanned = true;
            List<Path> readable = files.stream().filter(f -> !rejected.contains(f)).toList();
            Iterator<List<byte[]>> batches = ImageFolders.preparedBatches(readable, decoder, resizer, batchSize,
                    (file, reason) -> {
                        if (firstPass) {
                            rejected.add(file);
                            warnings.println("skipped " + file + ": " + reason.getMessage());
                        }
                    });
            int side = resizer.size();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return batches.hasNext();
                }

                @Override
                public ImageBatch next() {
                    List<byte[]> resized = batches.next();
                    return new ImageBatch(ModelInputBatch.toNchw(resized, side), resized.size(), side, side);
                }
            };
        }
    }
}
