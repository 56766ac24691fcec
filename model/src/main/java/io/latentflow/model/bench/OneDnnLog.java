package io.latentflow.model.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What oneDNN's verbose log ({@code ONEDNN_VERBOSE=1}) says a forward pass spent: the time of every primitive it
 * executed, summed by kind (convolution, reorder, ...), and each convolution shape's time and achieved GFLOP/s, which
 * shows which layers run near the CPU's peak and which do not.
 *
 * @param millisByKind  per call, by primitive kind
 * @param convolutions  per call, by shape, slowest first
 * @param primitivesPerCall executions per encoder call
 */
public record OneDnnLog(Map<String, Double> millisByKind, List<ConvolutionShape> convolutions, int primitivesPerCall) {

    // mb2_ic16oc32_ih64oh32kh3sh2dh0ph1_iw64ow32kw3sw2dw0pw1 (a leading g<groups> for grouped convolutions)
    private static final Pattern CONVOLUTION = Pattern.compile(
            "(?:g(\\d+))?mb(\\d+)_ic(\\d+)oc(\\d+)_ih(\\d+)oh(\\d+)kh(\\d+)sh(\\d+)\\S*?_iw(\\d+)ow(\\d+)kw(\\d+)");

    /**
     * One convolution shape, as executed per call: its channels, output size, kernel and stride, the kernel oneDNN
     * chose for it, how often, how long in all.
     *
     * @param images         images per execution (oneDNN's minibatch)
     * @param implementation oneDNN's kernel, e.g. {@code jit:avx512_core} or {@code brgconv:avx512_core}
     */
    public record ConvolutionShape(String shape, String implementation, int inputChannels, int outputChannels,
                                   int outputSide, int kernel, int stride, int images, int executions, double millis,
                                   long flopsPerExecution) {

        public double achievedGflops() {
            return executions * (double) flopsPerExecution / (millis * 1e6);
        }
    }

    /**
     * @param lines the verbose log (other lines are ignored)
     * @param calls encoder calls the log covers; the first call's executions (which create every primitive and touch
     *              every buffer for the first time) are left out, the rest averaged per call
     */
    public static OneDnnLog parse(List<String> lines, int calls) {
        List<String[]> executions = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("onednn_verbose") && line.contains(",exec,")) {
                executions.add(line.split(","));
            }
        }
        if (calls < 2 || executions.size() % calls != 0) {
            throw new IllegalArgumentException("oneDNN logged " + executions.size() + " executions for " + calls
                    + " calls: expected the same number per call (is ONEDNN_VERBOSE=1 set, and nothing else running"
                    + " oneDNN in the process?)");
        }
        int perCall = executions.size() / calls;
        int counted = calls - 1;
        Map<String, Double> byKind = new TreeMap<>();
        Map<String, double[]> byShape = new TreeMap<>();
        for (String[] fields : executions.subList(perCall, executions.size())) {
            int exec = indexOf(fields, "exec");
            String kind = fields[exec + 2];
            double millis = Double.parseDouble(fields[fields.length - 1]);
            byKind.merge(kind, millis / counted, Double::sum);
            if (kind.equals("convolution")) {
                double[] sum = byShape.computeIfAbsent(fields[exec + 3] + " " + fields[fields.length - 2],
                        shape -> new double[2]);
                sum[0] += 1.0 / counted;
                sum[1] += millis / counted;
            }
        }
        List<ConvolutionShape> shapes = new ArrayList<>();
        byShape.forEach((shape, sum) -> shapes.add(shape(shape, (int) Math.round(sum[0]), sum[1])));
        shapes.sort((a, b) -> Double.compare(b.millis(), a.millis()));
        return new OneDnnLog(byKind, shapes, perCall);
    }

    public double totalMillis() {
        return millisByKind.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static ConvolutionShape shape(String implementationAndShape, int executions, double millis) {
        String implementation = implementationAndShape.substring(0, implementationAndShape.indexOf(' '));
        String shape = implementationAndShape.substring(implementation.length() + 1);
        Matcher m = CONVOLUTION.matcher(shape);
        if (!m.find()) {
            return new ConvolutionShape(shape, implementation, 0, 0, 0, 0, 0, 0, executions, millis, 0);
        }
        int groups = m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
        int images = Integer.parseInt(m.group(2));
        int in = Integer.parseInt(m.group(3));
        int out = Integer.parseInt(m.group(4));
        int outH = Integer.parseInt(m.group(6));
        int kernelH = Integer.parseInt(m.group(7));
        int stride = Integer.parseInt(m.group(8));
        int outW = Integer.parseInt(m.group(10));
        int kernelW = Integer.parseInt(m.group(11));
        long flops = 2L * images * out * outH * outW * (in / groups) * kernelH * kernelW;
        return new ConvolutionShape(shape, implementation, in, out, outH, kernelH, stride, images, executions, millis,
                flops);
    }

    private static int indexOf(String[] fields, String value) {
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].equals(value)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not an execution line: " + String.join(",", fields));
    }
}
