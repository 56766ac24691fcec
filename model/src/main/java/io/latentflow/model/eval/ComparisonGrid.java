package io.latentflow.model.eval;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A picture for people: one row per image with the original, its reconstruction and its latent channels (each
 * channel min-max normalised to grey on its own, tiled and enlarged to the image's height) side by side, and below
 * them, once the evaluation is done, the latents' spectrum beside the images' ({@link SpectrumPlot}).
 * Collects the first {@code capacity} images offered and ignores the rest.
 */
public final class ComparisonGrid {

    private static final int GAP = 4;

    private final int capacity;
    private final List<Row> rows = new ArrayList<>();
    private BufferedImage spectrumPlot;

    public ComparisonGrid(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a comparison grid needs at least one row, got " + capacity);
        }
        this.capacity = capacity;
    }

    public boolean isFull() {
        return rows.size() >= capacity;
    }

    public int size() {
        return rows.size();
    }

    /**
     * Takes images of a batch until the grid is full.
     *
     * @param originals       the batch as encoded
     * @param reconstructions decoded, same layout as the originals
     * @param latents         NCHW, {@code originals.count() * channels * latentHeight * latentWidth} values
     */
    public void offer(ImageBatch originals, float[] reconstructions, float[] latents, int channels, int latentHeight,
                      int latentWidth) {
        int pixels = originals.valuesPerImage();
        int latentValues = channels * latentHeight * latentWidth;
        for (int n = 0; n < originals.count() && !isFull(); n++) {
            rows.add(new Row(
                    rgb(originals.pixels(), n * pixels, originals.height(), originals.width()),
                    rgb(reconstructions, n * pixels, originals.height(), originals.width()),
                    latentPanel(latents, n * latentValues, channels, latentHeight, latentWidth, originals.height())));
        }
    }

    /** Adds the plot of the evaluated latents' spectrum under the rows (replacing an earlier one). */
    public void plotSpectrum(LatentSpectrum spectrum) {
        spectrumPlot = SpectrumPlot.render(spectrum);
    }

    public BufferedImage render() {
        if (rows.isEmpty()) {
            throw new IllegalStateException("the comparison grid has no images: offer at least one batch first");
        }
        int width = 0;
        int height = GAP;
        for (Row row : rows) {
            width = Math.max(width, GAP + row.original.getWidth() + GAP + row.reconstruction.getWidth() + GAP
                    + row.latents.getWidth() + GAP);
            height += row.height() + GAP;
        }
        if (spectrumPlot != null) {
            width = Math.max(width, GAP + spectrumPlot.getWidth() + GAP);
            height += spectrumPlot.getHeight() + GAP;
        }
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = grid.createGraphics();
        try {
            graphics.setColor(Color.WHITE);
            graphics.fillRect(0, 0, width, height);
            int top = GAP;
            for (Row row : rows) {
                int left = GAP;
                for (BufferedImage panel : List.of(row.original, row.reconstruction, row.latents)) {
                    graphics.drawImage(panel, left, top, null);
                    left += panel.getWidth() + GAP;
                }
                top += row.height() + GAP;
            }
            if (spectrumPlot != null) {
                graphics.drawImage(spectrumPlot, GAP, top, null);
            }
        } finally {
            graphics.dispose();
        }
        return grid;
    }

    public void writePng(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(render(), "png", file.toFile())) {
            throw new IOException("no PNG writer available to write " + file);
        }
    }

    private static BufferedImage rgb(float[] nchw, int offset, int height, int width) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = offset + y * width + x;
                image.setRGB(x, y, (toByte(nchw[i]) << 16) | (toByte(nchw[i + plane]) << 8) | toByte(nchw[i + 2 * plane]));
            }
        }
        return image;
    }

    /** Channels tiled in floor(sqrt(c)) rows, each tile enlarged by an integer factor to fit the image height. */
    private static BufferedImage latentPanel(float[] latents, int offset, int channels, int latentHeight,
                                             int latentWidth, int imageHeight) {
        int tileRows = (int) Math.floor(Math.sqrt(channels));
        int tileColumns = (channels + tileRows - 1) / tileRows;
        int scale = Math.max(1, (imageHeight - (tileRows - 1)) / (tileRows * latentHeight));
        int tileHeight = latentHeight * scale;
        int tileWidth = latentWidth * scale;
        BufferedImage panel = new BufferedImage(tileColumns * tileWidth + tileColumns - 1,
                tileRows * tileHeight + tileRows - 1, BufferedImage.TYPE_INT_RGB);
        int plane = latentHeight * latentWidth;
        for (int c = 0; c < channels; c++) {
            int from = offset + c * plane;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = from; i < from + plane; i++) {
                min = Math.min(min, latents[i]);
                max = Math.max(max, latents[i]);
            }
            float spread = max - min;
            int left = (c % tileColumns) * (tileWidth + 1);
            int top = (c / tileColumns) * (tileHeight + 1);
            for (int y = 0; y < tileHeight; y++) {
                for (int x = 0; x < tileWidth; x++) {
                    float value = latents[from + (y / scale) * latentWidth + x / scale];
                    int grey = spread > 0 ? Math.round((value - min) / spread * 255) : 128;
                    panel.setRGB(left + x, top + y, (grey << 16) | (grey << 8) | grey);
                }
            }
        }
        return panel;
    }

    private static int toByte(float signed) {
        return Math.max(0, Math.min(255, Math.round((signed + 1) * 127.5f)));
    }

    private record Row(BufferedImage original, BufferedImage reconstruction, BufferedImage latents) {
        int height() {
            return Math.max(original.getHeight(), latents.getHeight());
        }
    }
}
