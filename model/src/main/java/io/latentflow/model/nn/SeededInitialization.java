package io.latentflow.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Gives every parameter of a block an initializer whose random stream depends only on (seed, parameter name), so the
 * same seed gives the same weights whatever the engine, the thread or the order of initialisation. Convolution weights
 * follow PyTorch's default (uniform in +-1/sqrt(fan_in)); biases and shifts start at 0, scales at 1.
 */
public final class SeededInitialization {

    private SeededInitialization() {
    }

    /** Call before {@code block.initialize(...)}; {@code scope} separates blocks that share parameter names. */
    public static void apply(Block block, long seed, String scope) {
        for (Pair<String, Parameter> named : block.getParameters()) {
            Parameter parameter = named.getValue();
            parameter.setInitializer(switch (parameter.getType()) {
                case WEIGHT -> new FanInUniform(streamSeed(seed, scope + "/" + named.getKey()));
                case GAMMA, RUNNING_VAR -> Initializer.ONES;
                default -> Initializer.ZEROS;
            });
        }
    }

    private static long streamSeed(long seed, String name) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    private record FanInUniform(long seed) implements Initializer {
        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            long size = shape.size();
            long fanIn = shape.dimension() > 1 ? size / shape.get(0) : size;
            double bound = 1.0 / Math.sqrt(fanIn);
            SplittableRandom random = new SplittableRandom(seed);
            float[] values = new float[Math.toIntExact(size)];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            return manager.create(values, shape).toType(dataType, false);
        }
    }
}
