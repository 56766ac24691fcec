package io.latentflow.cli.service;

import io.latentflow.cli.common.JsonOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentflow.cli.common.ServiceOptions;
import io.latentflow.cli.common.TrustedKeysOptions;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.ModelStore;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.model.LatentDecoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.store.ModelDirectory;
import io.latentflow.shards.LatentNpy;
import io.latentflow.shards.ShardSamples;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code latentflow decode}: latents back to PNGs with a model's decoder, how a user looks at what a diffusion model
 * generated (a bare .npy) or at what the service stored (shards). Every input is read and checked before the first
 * PNG is written, so a refused latent leaves nothing half done.
 */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode latents to OUT/<key>.png with a model's decoder. INPUT: .npy files (C x H x W, the"
                + " model's own served latents) or latent shards (.tar), local or s3://bucket/key. A shard member's"
                + " scale, shift and kind (mean or moments) come from its JSON. A latent whose channel count or latent"
                + " space does not match the model is refused (exit 2), naming it, and nothing is written.")
public final class DecodeCommand implements Callable<Integer> {

    /** Exit code of a refused latent (1 stays for every other failure). */
    static final int REFUSED = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    ServiceOptions service;

    @Option(names = "--model", required = true, paramLabel = "VERSION|DIR|default",
            description = "The model whose decoder to use: a model directory, \"default\", or a version published"
                    + " in the registry's object storage.")
    String model;

    @Parameters(paramLabel = "INPUT", arity = "1..*", description = ".npy files or shard .tar files, local paths or"
            + " s3://bucket/key.")
    List<String> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the PNGs (created).")
    Path out;

    @Mixin
    TrustedKeysOptions trusted;

    @Mixin
    JsonOptions output;

    private MinioClient storage;
    private S3Settings storageSettings;

    @Override
    public Integer call() throws Exception {
        TrustedKeys trustedKeys = trusted.load();
        Path temp = Files.createTempDirectory("latentflow-decode");
        try (ServingModel served = load(temp, trustedKeys)) {
            List<StoredLatent> latents = new ArrayList<>();
            for (String input : inputs) {
                latents.addAll(read(input, served));
            }
            Map<String, String> keys = new HashMap<>();
            for (StoredLatent latent : latents) {
                String why = latent.mismatch(served);
                String before = keys.putIfAbsent(latent.key(), latent.source());
                if (why == null && before != null) {
                    why = latent.source() + " and " + before + " would both be " + latent.key() + ".png: decode them"
                            + " into different folders";
                }
                if (why != null) {
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("latentflow decode: refused: " + why);
                    err.flush();
                    return REFUSED;
                }
            }
            Files.createDirectories(out);
            List<Map<String, Object>> images = new ArrayList<>();
            try (LatentDecoder decoder = served.newDecoder()) {
                int f = served.config().downsamplingFactor();
                for (StoredLatent latent : latents) {
                    int height = latent.latent().height();
                    int width = latent.latent().width();
                    float[] rgb = decoder.decode(latent.servedBy(served), 1, height, width);
                    Path png = out.resolve(latent.key() + ".png");
                    writePng(rgb, height * f, width * f, png);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("key", latent.key());
                    row.put("source", latent.source());
                    row.put("png", png.toAbsolutePath().toString());
                    row.put("width", width * f);
                    row.put("height", height * f);
                    images.add(row);
                }
            }
            PrintWriter stdout = spec.commandLine().getOut();
            if (output.json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("model", served.version());
                result.put("latentSpace", served.latentSpace());
                result.put("images", images);
                output.print(stdout, result);
            } else {
                stdout.printf("decoded %d latents with %s into %s%n", images.size(), served.version(), out);
            }
            stdout.flush();
            return 0;
        } finally {
            ModelDirectory.deleteRecursively(temp);
        }
    }

    /** With trusted keys, a directory or a published version only when one of them signed it; "default" always. */
    private ServingModel load(Path temp, TrustedKeys trustedKeys) throws IOException {
        if ("default".equals(model)) {
            return ServingModel.loadDefault();
        }
        Path dir = Path.of(model);
        if (Files.isDirectory(dir)) {
            trustedKeys.verify(dir);
            return ServingModel.load(dir);
        }
        S3Settings s3 = storage();
        return ServingModel.load(new ModelStore(s3).download(model, temp.resolve("model"), trustedKeys));
    }

    private List<StoredLatent> read(String input, ServingModel served) throws Exception {
        boolean remote = input.startsWith("s3://");
        String name = remote ? URI.create(input).getPath() : Path.of(input).getFileName().toString();
        if (name.endsWith(".tar")) {
            try (InputStream tar = open(input, remote)) {
                List<StoredLatent> latents = new ArrayList<>();
                for (ShardSamples.Sample sample : ShardSamples.read(tar, input)) {
                    String source = input + " member " + sample.key();
                    latents.add(StoredLatent.member(source, sample.key(), LatentNpy.parse(sample.latentNpy(), source),
                            JSON.readTree(sample.metadataJson())));
                }
                return latents;
            }
        }
        if (name.endsWith(".npy")) {
            byte[] npy;
            try (InputStream in = open(input, remote)) {
                npy = in.readAllBytes();
            }
            String file = name.substring(name.lastIndexOf('/') + 1);
            String key = file.substring(0, file.length() - ".npy".length());
            key = key.endsWith(".latent") ? key.substring(0, key.length() - ".latent".length()) : key;
            return List.of(StoredLatent.bare(input, key, LatentNpy.parse(npy, input), served));
        }
        throw new IllegalArgumentException(input + " is neither a .npy file nor a shard (.tar)");
    }

    private InputStream open(String input, boolean remote) throws Exception {
        if (!remote) {
            return Files.newInputStream(Path.of(input));
        }
        URI uri = URI.create(input);
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new IllegalArgumentException(input + " is not an s3://bucket/key URI");
        }
        storage();
        return storage.getObject(GetObjectArgs.builder().bucket(uri.getHost()).object(uri.getPath().substring(1))
                .build());
    }

    /** The given object storage, else the running service's. */
    private S3Settings storage() {
        if (storageSettings == null) {
            Optional<S3Settings> given = service.s3.external();
            storageSettings = given.or(() -> service.resolve().s3()).orElseThrow(() -> new IllegalArgumentException(
                    "s3:// inputs and published versions need object storage: give --s3-endpoint and its keys, or"
                            + " run 'latentflow run'"));
            storage = storageSettings.newClient();
        }
        return storageSettings;
    }

    /** RGB NCHW in [-1, 1] to a PNG, rounding each value to the nearest of 256 levels. */
    static void writePng(float[] rgb, int height, int width, Path file) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                image.setRGB(x, y, toByte(rgb[i]) << 16 | toByte(rgb[i + plane]) << 8 | toByte(rgb[i + 2 * plane]));
            }
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available to write " + file);
        }
    }

    static int toByte(float signed) {
        return Math.max(0, Math.min(255, Math.round((signed + 1) * 127.5f)));
    }
}
