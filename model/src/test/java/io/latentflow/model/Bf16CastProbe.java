package io.latentflow.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Run in its own JVM by {@link PrecisionTest}: casts a tensor to bfloat16, which aborts the JVM with DJL 0.36. */
final class Bf16CastProbe {

    private Bf16CastProbe() {
    }

    public static void main(String[] args) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            System.out.println("cast to bfloat16");
            System.out.flush();
            manager.ones(new Shape(2)).toType(DataType.BFLOAT16, false);
            System.out.println("survived: " + DataType.BFLOAT16);
        }
    }
}
