package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Arithmetic of an NDArray with a Java number that is safe under autograd. Use it instead of DJL's
 * {@code x.mul(0.5f)}, {@code x.div(n)}, {@code x.add(c)}, ... anywhere a gradient may flow.
 *
 * <p>Why: DJL 0.36's PyTorch engine turns the number into a 0-d tensor over a Java direct ByteBuffer
 * ({@code torch::from_blob}) and closes it right after the op. Autograd keeps that tensor for the backward pass (a
 * product needs its factor), but the buffer's memory is freed as soon as the garbage collector takes the closed
 * array: the backward pass then multiplies by whatever the allocator put there since (1e30, NaN, ...). Measured here
 * ({@code ScalarsTest}): 163 of 200 gradients of {@code x.mul(0.5f).sum()} were wrong under collector pressure. How
 * often it bites depends on when the JVM collects, which is why training broke on one machine and not another and moved
 * between runs of one seed. The constant made here is copied into memory PyTorch allocated, so autograd owns it.
 */
public final class Scalars {

    private Scalars() {
    }

    /** A 0-d array holding {@code value}, of {@code like}'s type and device, in memory that PyTorch owns. */
    public static NDArray of(NDArray like, double value) {
        try (NDArray javaOwned = like.getManager().create(value)) {
            // Both branches copy into memory PyTorch allocates: a conversion, or a clone where none is needed.
            DataType type = like.getDataType();
            return type == DataType.FLOAT64 ? javaOwned.duplicate() : javaOwned.toType(type, false);
        }
    }

    public static NDArray times(NDArray x, double value) {
        return x.mul(of(x, value));
    }

    public static NDArray dividedBy(NDArray x, double value) {
        return x.div(of(x, value));
    }

    public static NDArray plus(NDArray x, double value) {
        return x.add(of(x, value));
    }

    public static NDArray minus(NDArray x, double value) {
        return x.sub(of(x, value));
    }

    /** Element-wise {@code max(x, value)}. */
    public static NDArray atLeast(NDArray x, double value) {
        return x.maximum(of(x, value));
    }
}
