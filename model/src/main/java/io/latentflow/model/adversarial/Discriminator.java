package io.latentflow.model.adversarial;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.latentflow.model.nn.SeededInitialization;

import java.util.ArrayList;
import java.util.List;
import io.latentflow.model.nn.Scalars;

/**
 * A small residual, normalisation-free discriminator in the spirit of R3GAN: a 1x1 stem, then per stage a residual
 * block {@code h + conv3x3(lrelu(conv3x3(lrelu(h))))} (the last convolution of each branch starts at zero, so every block
 * starts as the identity) and, between stages, 2x2 average pooling with a 1x1 convolution to the next width; then
 * LeakyReLU, global average pooling and a linear layer to one logit per image. Not a PatchGAN: one judgement per image.
 *
 * <p>Its input gradient is written out explicitly ({@link #judge(ParameterStore, NDArray, boolean)}) with ordinary
 * differentiable operations: transposed 3x3 convolutions as convolutions with flipped, transposed kernels, average
 * pooling's adjoint as nearest upsampling / 4. A gradient penalty built from it is differentiated by one normal backward
 * pass; DJL's GradientCollector has no create_graph, and the native create_graph path leaks (see notes on DJL).
 */
public final class Discriminator extends AbstractBlock {

    static final float SLOPE = 0.2f;
    private static final byte VERSION = 1;
    private static final Shape ONE = new Shape(1, 1);
    private static final Shape NO_PADDING = new Shape(0, 0);
    private static final Shape SAME_PADDING = new Shape(1, 1);
    private static final int NEAREST = 0;

    private final List<Integer> widths;
    private final Parameter stemWeight;
    private final Parameter stemBias;
    private final List<Stage> stages = new ArrayList<>();
    private final Parameter headWeight;
    private final Parameter headBias;

    /** @param widths channel width of each stage, highest resolution first */
    public Discriminator(List<Integer> widths) {
        super(VERSION);
        this.widths = List.copyOf(widths);
        stemWeight = weight("stem_weight", new Shape(widths.get(0), 3, 1, 1));
        stemBias = bias("stem_bias", widths.get(0));
        for (int i = 0; i < widths.size(); i++) {
            int width = widths.get(i);
            Parameter next = i + 1 < widths.size() ? weight("stage" + i + "_down_weight",
                    new Shape(widths.get(i + 1), width, 1, 1)) : null;
            stages.add(new Stage(
                    weight("stage" + i + "_conv1_weight", new Shape(width, width, 3, 3)),
                    bias("stage" + i + "_conv1_bias", width),
                    weight("stage" + i + "_conv2_weight", new Shape(width, width, 3, 3)),
                    bias("stage" + i + "_conv2_bias", width),
                    next,
                    next == null ? null : bias("stage" + i + "_down_bias", widths.get(i + 1))));
        }
        int last = widths.get(widths.size() - 1);
        headWeight = weight("head_weight", new Shape(1, last));
        headBias = bias("head_bias", 1);
    }

    /** A discriminator with seeded weights in {@code manager}; residual branches start at zero. */
    public static Discriminator initialized(List<Integer> widths, NDManager manager, long seed) {
        return initialized(widths, manager, seed, DataType.FLOAT32);
    }

    /** As above with weights of {@code dataType}: float64 lets tests compare gradients free of float32 kernels' error. */
    static Discriminator initialized(List<Integer> widths, NDManager manager, long seed, DataType dataType) {
        Discriminator discriminator = new Discriminator(widths);
        SeededInitialization.apply(discriminator, seed, "discriminator");
        discriminator.initialize(manager, dataType, new Shape(1, 3, 8, 8));
        for (Stage stage : discriminator.stages) {
            stage.conv2Weight().getArray().muli(0);
        }
        return discriminator;
    }

    public List<Integer> widths() {
        return widths;
    }

    /**
     * One logit per image and, when asked, the gradient of the sum of the logits with respect to the images (each image's
     * own gradient, as logits do not mix images), differentiable with respect to the weights.
     */
    public Judgement judge(ParameterStore parameters, NDArray images, boolean withInputGradient) {
        Device device = images.getDevice();
        NDArray h = conv(images, value(parameters, stemWeight, device), value(parameters, stemBias, device),
                NO_PADDING);
        List<NDArray> blockInputs = new ArrayList<>();
        List<NDArray> innerPreActivations = new ArrayList<>();
        for (Stage stage : stages) {
            blockInputs.add(h);
            NDArray inner = conv(lrelu(h), value(parameters, stage.conv1Weight(), device),
                    value(parameters, stage.conv1Bias(), device), SAME_PADDING);
            innerPreActivations.add(inner);
            h = h.add(conv(lrelu(inner), value(parameters, stage.conv2Weight(), device),
                    value(parameters, stage.conv2Bias(), device), SAME_PADDING));
            if (stage.downWeight() != null) {
                h = conv(averagePool(h), value(parameters, stage.downWeight(), device),
                        value(parameters, stage.downBias(), device), NO_PADDING);
            }
        }
        Shape last = h.getShape();
        long batch = last.get(0);
        long channels = last.get(1);
        long positions = last.get(2) * last.get(3);
        NDArray pooled = lrelu(h).reshape(batch, channels, positions).mean(new int[] {2});
        NDArray head = value(parameters, headWeight, device);
        NDArray logits = pooled.matMul(head.transpose()).add(value(parameters, headBias, device));
        if (!withInputGradient) {
            return new Judgement(logits, null);
        }
        // Backward by hand, from d(sum logits)/d(pooled) = head weight for every image.
        NDArray gradient = Scalars.dividedBy(head.reshape(1, channels, 1, 1), positions).mul(lreluSlope(h));
        for (int i = stages.size() - 1; i >= 0; i--) {
            Stage stage = stages.get(i);
            if (stage.downWeight() != null) {
                NDArray pooledGradient = conv(gradient, value(parameters, stage.downWeight(), device)
                        .swapAxes(0, 1), null, NO_PADDING);
                gradient = Scalars.times(upsampleNearest(pooledGradient), 0.25);
            }
            NDArray branch = transposedConv3x3(gradient, value(parameters, stage.conv2Weight(), device))
                    .mul(lreluSlope(innerPreActivations.get(i)));
            branch = transposedConv3x3(branch, value(parameters, stage.conv1Weight(), device))
                    .mul(lreluSlope(blockInputs.get(i)));
            gradient = gradient.add(branch);
        }
        NDArray inputGradient = conv(gradient, value(parameters, stemWeight, device).swapAxes(0, 1), null,
                NO_PADDING);
        return new Judgement(logits, inputGradient);
    }

    /** Logits of a batch, and the gradient of their sum with respect to the batch (null unless requested). */
    public record Judgement(NDArray logits, NDArray inputGradient) {
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameters, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(judge(parameters, inputs.singletonOrThrow(), false).logits());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 1)};
    }

    private Parameter weight(String name, Shape shape) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .build());
    }

    private Parameter bias(String name, int size) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.BIAS)
                .optShape(new Shape(size)).build());
    }

    private static NDArray value(ParameterStore parameters, Parameter parameter, Device device) {
        return parameters.getValue(parameter, device, true);
    }

    private static NDArray conv(NDArray x, NDArray weight, NDArray bias, Shape padding) {
        return x.getNDArrayInternal().convolution(x, weight, bias, ONE, padding, ONE, 1).singletonOrThrow();
    }

    /** Adjoint of a stride-1, padding-1 3x3 convolution: convolution with the kernel flipped and in/out swapped. */
    static NDArray transposedConv3x3(NDArray gradient, NDArray weight) {
        return conv(gradient, weight.flip(2, 3).swapAxes(0, 1), null, SAME_PADDING);
    }

    static NDArray lrelu(NDArray x) {
        return x.getNDArrayInternal().leakyRelu(SLOPE);
    }

    /** Derivative of LeakyReLU at x: 1 where x > 0, else the slope; a constant for autograd. */
    static NDArray lreluSlope(NDArray x) {
        return Scalars.plus(Scalars.times(x.gt(0f).toType(x.getDataType(), false), 1.0 - SLOPE), SLOPE);
    }

    private static NDArray averagePool(NDArray x) {
        return x.getNDArrayInternal().avgPool(new Shape(2, 2), new Shape(2, 2), NO_PADDING, false, true);
    }

    private static NDArray upsampleNearest(NDArray x) {
        Shape shape = x.getShape();
        return x.getNDArrayInternal().interpolation(new long[] {shape.get(2) * 2, shape.get(3) * 2}, NEAREST, false);
    }

    private record Stage(Parameter conv1Weight, Parameter conv1Bias, Parameter conv2Weight, Parameter conv2Bias,
                         Parameter downWeight, Parameter downBias) {
    }
}
