package io.latentflow.model.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Java heap in use and the process's resident set size. The resident set is what a model costs natively: PyTorch's
 * weights and activations live outside the heap. Resident figures are Linux only (0 elsewhere).
 */
public record ResidentMemory(long heapBytes, long residentBytes, long peakResidentBytes) {

    public static ResidentMemory now() {
        Runtime runtime = Runtime.getRuntime();
        return new ResidentMemory(runtime.totalMemory() - runtime.freeMemory(), status("VmRSS:"), status("VmHWM:"));
    }

    /**
     * Lowers the process's high-water mark to what is resident now (Linux: {@code 5} written to
     * {@code /proc/self/clear_refs}), so that a later {@link #peakResidentMiB} is the peak of what ran since, not of
     * an earlier phase of the same process. Returns false where that is not possible (then the peak stays the
     * process's whole life's).
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return false;
        }
    }

    /** After a full collection, so that the heap figure is live objects rather than garbage. */
    public static ResidentMemory afterGc() {
        System.gc();
        return now();
    }

    public long heapMiB() {
        return heapBytes >> 20;
    }

    public long residentMiB() {
        return residentBytes >> 20;
    }

    /** The most the process was resident so far (its high-water mark). */
    public long peakResidentMiB() {
        return peakResidentBytes >> 20;
    }

    public String since(ResidentMemory before) {
        return String.format("heap %+d MiB, resident %+d MiB (now %d MiB resident)",
                heapMiB() - before.heapMiB(), residentMiB() - before.residentMiB(), residentMiB());
    }

    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            // not Linux
        }
        return 0;
    }
}
