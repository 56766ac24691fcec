package io.latentflow.cli.train;

import io.latentflow.imaging.ImageDecoder;
import io.latentflow.imaging.ImageFolders;
import io.latentflow.imaging.ImageRejectedException;
import io.latentflow.imaging.ModelInputResizer;
import io.latentflow.model.LatentEncoder;
import io.latentflow.model.ServingModel;
import io.latentflow.model.drift.ImageExposure;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The latents of a drift evaluation set with kinds ({@code <category>/<kind>/<image>}, as {@code eval/drift-kinds/}),
 * each image as many crops at the model's input size: a camera or a crawl streams many frames of one scene, and a
 * window of 32 needs 32 of them. A crop is a random square of the model input's size to the image's short side (so a
 * crop is downscaled at most as much as the whole image would be), mirrored at random, seeded by the file name so
 * that every run cuts the same crops. Photos are also cut darkened to a quarter of their brightness (every sRGB value
 * over 4): a camera whose exposure broke. Each crop carries the {@link ImageExposure} levels of its pixels, as the
 * encode job measures them; they are read again on every run (the crops are cut again anyway, and a pass over their
 * pixels costs far less than reading a cached latent), so the latent cache holds latents only.
 */
public final class KindCrops {

    /** The category whose windows must stay quiet; every other category is new content. */
    public static final String PHOTO = "photo";
    /** The darkened photos' brightness: a quarter of each sRGB value. */
    static final int DARKENING = 4;

    /**
     * One crop's latent.
     *
     * @param source   the image it was cut from (its file name)
     * @param darkened whether its pixels were darkened to a quarter before encoding
     * @param exposure the exposure levels of the pixels it was encoded from
     */
    public record Crop(String category, String kind, String source, boolean darkened, ImageExposure exposure,
                       float[] latent) {
    }

    private final CachedEncoder encoder;
    private final int batchSize;

    public KindCrops(ServingModel model, LatentEncoder encoder, int resolution, int batchSize,
                     Optional<LatentCache> cache) {
        this.encoder = new CachedEncoder(model, encoder, resolution, cache);
        this.batchSize = batchSize;
    }

    /** Every image of every {@code <category>/<kind>} folder of {@code root}: {@code cropsPerImage} crops each. */
    public List<Crop> encode(Path root, int cropsPerImage, PrintWriter progress) throws IOException {
        List<Path> kinds = subfolders(root).stream().flatMap(category -> subfolders(category).stream()).toList();
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException(root + " holds no <category>/<kind>/ folders of images (as"
                    + " eval/drift-kinds/ does)");
        }
        ModelInputResizer resizer = encoder.resizer();
        ImageDecoder decoder = new ImageDecoder();
        List<Crop> crops = new ArrayList<>();
        Pending pending = new Pending();
        for (Path kind : kinds) {
            String category = kind.getParent().getFileName().toString();
            for (Path file : ImageFolders.files(kind)) {
                BufferedImage image;
                try {
                    image = decoder.decode(Files.readAllBytes(file));
                } catch (ImageRejectedException e) {
                    progress.printf("  skipped %s: %s%n", file, e.getMessage());
                    continue;
                }
                List<byte[]> cut = cut(image, file.getFileName().toString(), resizer, cropsPerImage);
                for (int c = 0; c < cropsPerImage; c++) {
                    byte[] pixels = cut.get(c);
                    add(crops, pending, new Crop(category, kind.getFileName().toString(),
                            file.getFileName().toString(), false, ImageExposure.ofRgb(pixels), null), file,
                            "_crop" + c, pixels);
                    if (category.equals(PHOTO)) {
                        byte[] dark = darkened(pixels);
                        add(crops, pending, new Crop(category, kind.getFileName().toString(),
                                file.getFileName().toString(), true, ImageExposure.ofRgb(dark), null), file,
                                "_crop" + c + "_dark", dark);
                    }
                }
            }
            flush(crops, pending);
            progress.printf("  %d crops of %s/%s%n", crops.size(), category, kind.getFileName());
            progress.flush();
        }
        return crops.stream().filter(crop -> crop.latent() != null).toList();
    }

    /** Crops waiting for the encoder: their place in the list, file, cache name and pixels. */
    private static final class Pending {
        final List<Integer> at = new ArrayList<>();
        final List<Path> files = new ArrayList<>();
        final List<String> variants = new ArrayList<>();
        final List<byte[]> pixels = new ArrayList<>();
    }

    private void add(List<Crop> crops, Pending pending, Crop crop, Path file, String variant, byte[] pixels)
            throws IOException {
        Optional<float[]> cached = encoder.cached(file, variant);
        if (cached.isPresent()) {
            crops.add(withLatent(crop, cached.get()));
            return;
        }
        pending.at.add(crops.size());
        pending.files.add(file);
        pending.variants.add(variant);
        pending.pixels.add(pixels);
        crops.add(crop);
        if (pending.pixels.size() == batchSize) {
            flush(crops, pending);
        }
    }

    private void flush(List<Crop> crops, Pending pending) throws IOException {
        if (pending.pixels.isEmpty()) {
            return;
        }
        List<float[]> latents = encoder.encode(pending.pixels, pending.files, pending.variants);
        for (int k = 0; k < latents.size(); k++) {
            int at = pending.at.get(k);
            crops.set(at, withLatent(crops.get(at), latents.get(k)));
        }
        pending.at.clear();
        pending.files.clear();
        pending.variants.clear();
        pending.pixels.clear();
    }

    private static Crop withLatent(Crop crop, float[] latent) {
        return new Crop(crop.category(), crop.kind(), crop.source(), crop.darkened(), crop.exposure(), latent);
    }

    /**
     * {@code count} crops of an image as model inputs (RGB bytes, see {@link ModelInputResizer#resize}), the same ones
     * for the same {@code name}: each a random square of the model input's size to the image's short side, mirrored
     * half the time.
     *
     * @param image a compact BGR image, as {@link ImageDecoder#decode} returns
     */
    public static List<byte[]> cut(BufferedImage image, String name, ModelInputResizer resizer, int count) {
        Random random = new Random(name.hashCode());
        List<byte[]> crops = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            crops.add(crop(image, resizer, random));
        }
        return crops;
    }

    private static byte[] crop(BufferedImage image, ModelInputResizer resizer, Random random) {
        int size = resizer.size();
        int shortSide = Math.min(image.getWidth(), image.getHeight());
        int side = shortSide <= size ? shortSide : size + random.nextInt(shortSide - size + 1);
        int x = random.nextInt(image.getWidth() - side + 1);
        int y = random.nextInt(image.getHeight() - side + 1);
        BufferedImage square = new BufferedImage(side, side, BufferedImage.TYPE_3BYTE_BGR);
        square.getRaster().setDataElements(0, 0, side, side,
                image.getRaster().getDataElements(x, y, side, side, null));
        byte[] rgb = resizer.resize(square);
        if (random.nextBoolean()) {
            mirror(rgb, resizer.size());
        }
        return rgb;
    }

    private static void mirror(byte[] rgb, int side) {
        for (int y = 0; y < side; y++) {
            for (int left = 0, right = side - 1; left < right; left++, right--) {
                for (int b = 0; b < 3; b++) {
                    int l = (y * side + left) * 3 + b;
                    int r = (y * side + right) * 3 + b;
                    byte swap = rgb[l];
                    rgb[l] = rgb[r];
                    rgb[r] = swap;
                }
            }
        }
    }

    private static byte[] darkened(byte[] rgb) {
        byte[] dark = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            dark[i] = (byte) ((rgb[i] & 0xFF) / DARKENING);
        }
        return dark;
    }

    private static List<Path> subfolders(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }
}
