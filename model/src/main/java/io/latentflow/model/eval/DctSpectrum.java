package io.latentflow.model.eval;

/**
 * The radially averaged power spectrum of one plane size under the orthonormal 2-D DCT-II, the analysis of Skorokhodov
 * et al., "Improving the Diffusability of Autoencoders" (ICML 2025).
 *
 * <p>Coefficient (u, v) of an {@code height x width} plane sits at the normalised frequency {@code r = sqrt((u /
 * height)^2 + (v / width)^2)}: 0 is the plane's mean, 1 the Nyquist frequency along one axis. The radii from 0 to 1
 * fall into {@link #bins()} equal bins (the diagonal corners beyond 1 join the last); a bin's power is the mean power
 * of its coefficients, which is what makes it a radial average rather than a sum that favours the wide outer rings.
 * The mean (the DC coefficient) is left out: a channel's offset is no frequency content, and a constant plane has
 * no spectrum at all rather than all of it at 0.
 *
 * <p>Not thread-safe (scratch buffers); one per plane size and thread.
 */
public final class DctSpectrum {

    private final int height;
    private final int width;
    private final double[][] rowBasis;
    private final double[][] columnBasis;
    private final int[] binOf;
    private final int[] coefficientsPerBin;
    private final double[] rowsTransformed;

    /** @throws IllegalArgumentException when a side is below 4: too few frequencies for two halves */
    public DctSpectrum(int height, int width) {
        if (height < 4 || width < 4) {
            throw new IllegalArgumentException("a spectrum of " + height + "x" + width + " planes has too few"
                    + " frequencies: use planes of at least 4x4");
        }
        this.height = height;
        this.width = width;
        this.rowBasis = basis(height);
        this.columnBasis = basis(width);
        int bins = bins(height, width);
        this.binOf = new int[height * width];
        this.coefficientsPerBin = new int[bins];
        for (int u = 0; u < height; u++) {
            for (int v = 0; v < width; v++) {
                if (u == 0 && v == 0) {
                    binOf[0] = -1;
                    continue;
                }
                double radius = Math.hypot((double) u / height, (double) v / width);
                int bin = Math.min(bins - 1, (int) (radius * bins));
                binOf[u * width + v] = bin;
                coefficientsPerBin[bin]++;
            }
        }
        this.rowsTransformed = new double[height * width];
    }

    /** Bins of a {@code height x width} plane: one per two coefficients along the shorter side. */
    public static int bins(int height, int width) {
        return Math.min(height, width) / 2;
    }

    public int bins() {
        return coefficientsPerBin.length;
    }

    /** The normalised frequency at the centre of each bin. */
    public double[] frequencies() {
        double[] centres = new double[bins()];
        for (int b = 0; b < centres.length; b++) {
            centres[b] = (b + 0.5) / centres.length;
        }
        return centres;
    }

    /** The first bin of the upper half of the frequencies (radius 0.5 and above). */
    public int firstHighBin() {
        return bins() / 2;
    }

    /**
     * Adds the radially averaged power of one plane to {@code profile}, bin by bin.
     *
     * @param values a plane, row-major, from {@code offset}
     */
    public void addPlane(float[] values, int offset, double[] profile) {
        // The mean is taken out first: left in, rounding would leak a trace of it into every coefficient, and a
        // constant plane, normalised, would show a spectrum of pure rounding noise.
        double mean = 0;
        for (int i = offset; i < offset + height * width; i++) {
            mean += values[i];
        }
        mean /= height * width;
        // Separable: along each row first, then along each column of that.
        for (int y = 0; y < height; y++) {
            int row = offset + y * width;
            for (int v = 0; v < width; v++) {
                double[] cosines = columnBasis[v];
                double sum = 0;
                for (int x = 0; x < width; x++) {
                    sum += (values[row + x] - mean) * cosines[x];
                }
                rowsTransformed[y * width + v] = sum;
            }
        }
        double[] binPower = new double[bins()];
        for (int u = 0; u < height; u++) {
            double[] cosines = rowBasis[u];
            for (int v = 0; v < width; v++) {
                int bin = binOf[u * width + v];
                if (bin < 0) {
                    continue;
                }
                double coefficient = 0;
                for (int y = 0; y < height; y++) {
                    coefficient += rowsTransformed[y * width + v] * cosines[y];
                }
                binPower[bin] += coefficient * coefficient;
            }
        }
        for (int b = 0; b < binPower.length; b++) {
            if (coefficientsPerBin[b] > 0) {
                profile[b] += binPower[b] / coefficientsPerBin[b];
            }
        }
    }

    /** {@code profile} scaled to sum to 1; all zeros stay zeros (a constant plane has no spectrum). */
    public static double[] normalised(double[] profile) {
        double total = 0;
        for (double power : profile) {
            total += power;
        }
        double[] out = new double[profile.length];
        for (int b = 0; b < profile.length && total > 0; b++) {
            out[b] = profile[b] / total;
        }
        return out;
    }

    /** The share of a normalised profile in the upper half of the frequencies. */
    public double highFrequencyFraction(double[] normalisedProfile) {
        double high = 0;
        for (int b = firstHighBin(); b < normalisedProfile.length; b++) {
            high += normalisedProfile[b];
        }
        return high;
    }

    /** Orthonormal DCT-II basis: {@code basis[k][n] = s_k cos(pi (2n + 1) k / 2N)}. */
    private static double[][] basis(int size) {
        double[][] basis = new double[size][size];
        for (int k = 0; k < size; k++) {
            double scale = Math.sqrt((k == 0 ? 1.0 : 2.0) / size);
            for (int n = 0; n < size; n++) {
                basis[k][n] = scale * Math.cos(Math.PI * (2 * n + 1) * k / (2.0 * size));
            }
        }
        return basis;
    }
}
