package io.latentflow.cli.replay.report;

import io.latentflow.jobs.replay.WorstImage;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

/** The replay report's grid: one row per worst image, its model input, then each model's reconstruction (A, B). */
public final class WorstImagesGrid {

    private static final int GAP = 4;

    private WorstImagesGrid() {
    }

    public static BufferedImage render(List<WorstImage> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no worst images to draw");
        }
        int size = rows.get(0).size;
        int panels = 1 + rows.get(0).psnr.length;
        BufferedImage grid = new BufferedImage(GAP + panels * (size + GAP), GAP + rows.size() * (size + GAP),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = grid.createGraphics();
        try {
            graphics.setColor(Color.WHITE);
            graphics.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int r = 0; r < rows.size(); r++) {
                WorstImage row = rows.get(r);
                int top = GAP + r * (size + GAP);
                graphics.drawImage(rgb(row.input, 0, size), GAP, top, null);
                for (int m = 0; m < row.psnr.length; m++) {
                    graphics.drawImage(rgb(row.reconstructions, m * size * size * 3, size),
                            GAP + (m + 1) * (size + GAP), top, null);
                }
            }
        } finally {
            graphics.dispose();
        }
        return grid;
    }

    /** A PNG data URI, so the report opens from disk with no other file and no network. */
    public static String dataUri(BufferedImage image) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the grid as PNG", e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }

    private static BufferedImage rgb(byte[] hwc, int from, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = from + (y * size + x) * 3;
                image.setRGB(x, y, ((hwc[i] & 0xff) << 16) | ((hwc[i + 1] & 0xff) << 8) | (hwc[i + 2] & 0xff));
            }
        }
        return image;
    }
}
