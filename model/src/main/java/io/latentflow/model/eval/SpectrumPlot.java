package io.latentflow.model.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * The latents' and the images' normalised radial DCT power against frequency, log scale, with the upper half of the
 * frequencies shaded and each curve's share there in its legend: the figure of Skorokhodov et al. for one model.
 */
final class SpectrumPlot {

    static final Color LATENT = new Color(0xC0392B);
    static final Color IMAGE = new Color(0x2E86C1);
    private static final int WIDTH = 420;
    private static final int HEIGHT = 240;
    private static final int LEFT = 48;
    private static final int RIGHT = 12;
    private static final int TOP = 34;
    private static final int BOTTOM = 30;
    /** Powers below this share of the total are drawn at the floor of the log axis. */
    private static final double FLOOR = 1e-6;

    private SpectrumPlot() {
    }

    static BufferedImage render(LatentSpectrum spectrum) {
        BufferedImage plot = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = plot.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;
            g.setColor(new Color(0xEEEEEE));
            g.fillRect(LEFT + plotWidth / 2, TOP, plotWidth - plotWidth / 2, plotHeight);
            g.setColor(Color.DARK_GRAY);
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            double low = Math.log10(FLOOR);
            double high = Math.ceil(Math.log10(Math.max(FLOOR * 10, Math.max(max(spectrum.latentProfile()),
                    max(spectrum.imageProfile())))));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString("0", LEFT - 3, TOP + plotHeight + 14);
            g.drawString("0.5", LEFT + plotWidth / 2 - 8, TOP + plotHeight + 14);
            g.drawString("1 (Nyquist)", LEFT + plotWidth - 60, TOP + plotHeight + 14);
            g.drawString("1e" + (int) high, 4, TOP + 10);
            g.drawString("1e" + (int) Math.round(low), 4, TOP + plotHeight);
            g.drawString("radial DCT power (normalised) vs frequency", LEFT, HEIGHT - 4);
            curve(g, spectrum.frequencies(), spectrum.latentProfile(), LATENT, low, high, plotWidth, plotHeight);
            curve(g, spectrum.frequencies(), spectrum.imageProfile(), IMAGE, low, high, plotWidth, plotHeight);
            g.setColor(LATENT);
            g.drawString(String.format(Locale.ROOT, "latents: %.1f %% above 0.5", 100 * spectrum.latentHighFrequency()),
                    LEFT, 13);
            g.setColor(IMAGE);
            g.drawString(String.format(Locale.ROOT, "images at latent size: %.1f %% above 0.5",
                    100 * spectrum.imageHighFrequency()), LEFT, 27);
        } finally {
            g.dispose();
        }
        return plot;
    }

    private static void curve(Graphics2D g, List<Double> frequencies, List<Double> profile, Color color, double low,
                              double high, int plotWidth, int plotHeight) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int previousX = -1;
        int previousY = -1;
        for (int b = 0; b < profile.size(); b++) {
            double level = Math.log10(Math.max(FLOOR, profile.get(b)));
            int x = LEFT + (int) Math.round(frequencies.get(b) * plotWidth);
            int y = TOP + (int) Math.round((high - level) / (high - low) * plotHeight);
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            }
            g.fillOval(x - 2, y - 2, 5, 5);
            previousX = x;
            previousY = y;
        }
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(FLOOR);
    }
}
