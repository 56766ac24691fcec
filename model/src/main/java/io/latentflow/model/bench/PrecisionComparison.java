package io.latentflow.model.bench;

import io.latentflow.model.Precision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The default model's encoder in fp32 and bf16 side by side in one run: oneDNN fixes its math mode per process, so
 * each precision runs in a child JVM (same classpath, threads, batch and images), alternating fp32, bf16, fp32, bf16
 * so that a change of load on a shared machine hits both; each precision's best round counts.
 */
public final class PrecisionComparison {

    /** One precision in one child process. */
    public record Run(String precision, double imagesPerSecond, double psnr, int images, String reason) {
        static Run parse(String line) {
            String[] fields = line.split(" ", 6);
            return new Run(fields[1], Double.parseDouble(fields[2]), Double.parseDouble(fields[3]),
                    Integer.parseInt(fields[4]), fields[5]);
        }
    }

    /** bf16 over fp32: {@code speedUp} > 1 means bf16 is faster, {@code psnrLossDb} > 0 that it loses quality. */
    public record Result(int size, int batch, int threads, Run fp32, Run bf16, double loadBefore, double loadAfter) {
        public double speedUp() {
            return bf16.imagesPerSecond() / fp32.imagesPerSecond();
        }

        public double psnrLossDb() {
            return fp32.psnr() - bf16.psnr();
        }

        public String line() {
            return String.format(Locale.ROOT, "encoder %d px, batch %d, %d threads: fp32 %.2f img/s, bf16 %.2f img/s,"
                            + " bf16/fp32 %.2fx; PSNR on %d held-out photos fp32 %.3f dB, bf16 %.3f dB, lost %.3f dB;"
                            + " bf16: %s; load %.1f -> %.1f",
                    size, batch, threads, fp32.imagesPerSecond(), bf16.imagesPerSecond(), speedUp(), fp32.images(),
                    fp32.psnr(), bf16.psnr(), psnrLossDb(), bf16.reason(), loadBefore, loadAfter);
        }
    }

    private PrecisionComparison() {
    }

    public static Result compare(Path photos, int size, int batch, int threads, Iterations iterations, int rounds) {
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Run fp32 = null;
        Run bf16 = null;
        for (int round = 0; round < rounds; round++) {
            fp32 = faster(fp32, run(Precision.FP32, photos, size, batch, threads, iterations, null));
            bf16 = faster(bf16, run(Precision.BF16, photos, size, batch, threads, iterations, null));
        }
        return new Result(size, batch, threads, fp32, bf16, loadBefore,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static Run faster(Run best, Run next) {
        return best == null || next.imagesPerSecond() > best.imagesPerSecond() ? next : best;
    }

    /**
     * {@link PrecisionRun} in a child JVM started in {@code precision}'s math mode.
     *
     * @param latentsOut where the child writes the first held-out batch's latents (big-endian floats), or null
     */
    public static Run run(Precision precision, Path photos, int size, int batch, int threads, Iterations iterations,
                          Path latentsOut) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx3g", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), PrecisionRun.class.getName(), precision.optionValue(),
                photos.toString(), Integer.toString(size), Integer.toString(batch), Integer.toString(threads),
                Integer.toString(iterations.warmup()), Integer.toString(iterations.measured())));
        if (latentsOut != null) {
            command.add(latentsOut.toString());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(Precision.FPMATH_ENV);
        if (precision == Precision.BF16) {
            builder.environment().put(Precision.FPMATH_ENV, "BF16");
        }
        try {
            Path log = Files.createTempFile("precision-run", ".log");
            try {
                Process child = builder.redirectOutput(log.toFile()).start();
                if (!child.waitFor(30, TimeUnit.MINUTES)) {
                    child.destroyForcibly();
                    throw new IllegalStateException("the " + precision.optionValue() + " run did not finish in 30"
                            + " minutes");
                }
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return lines.stream().filter(line -> line.startsWith("result ")).findFirst().map(Run::parse)
                        .orElseThrow(() -> new IllegalStateException("the " + precision.optionValue() + " run"
                                + " exited " + child.exitValue() + " without a result; its last lines: "
                                + lines.subList(Math.max(0, lines.size() - 5), lines.size())));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the " + precision.optionValue() + " encoder", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the " + precision.optionValue() + " encoder ran", e);
        }
    }

    /** {@code PrecisionComparison PHOTOS [SIZE] [BATCH] [THREADS] [ROUNDS]}. */
    public static void main(String[] args) {
        Path photos = Path.of(args[0]);
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        System.out.println(compare(photos, size, batch, threads, new Iterations(1, 3), rounds).line());
    }
}
