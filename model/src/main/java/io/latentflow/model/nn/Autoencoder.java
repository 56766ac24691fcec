package io.latentflow.model.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.latentflow.model.AutoencoderConfig;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The encoder and decoder built from one config, with their parameters in one manager. Not a block itself: training
 * and serving drive the two halves separately (a KL trainer samples between them, a bounded one perturbs).
 */
public final class Autoencoder {

    private final AutoencoderConfig config;
    private final Encoder encoder;
    private final Decoder decoder;

    private Autoencoder(AutoencoderConfig config) {
        this.config = config;
        this.encoder = new Encoder(config);
        this.decoder = new Decoder(config);
    }

    /** Builds both halves and initialises their parameters in {@code manager} from {@code seed}. */
    public static Autoencoder initialized(AutoencoderConfig config, NDManager manager, long seed) {
        Autoencoder autoencoder = new Autoencoder(config);
        SeededInitialization.apply(autoencoder.encoder, seed, "encoder");
        SeededInitialization.apply(autoencoder.decoder, seed, "decoder");
        // Shapes only fix channel counts here; both halves accept any multiple of f afterwards.
        int f = config.downsamplingFactor();
        autoencoder.encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 3, f, f));
        autoencoder.decoder.initialize(manager, DataType.FLOAT32, new Shape(1, config.latentChannels(), 1, 1));
        return autoencoder;
    }

    /** Builds both halves and reads their parameters from files written by {@link #saveParameters}. */
    public static Autoencoder load(AutoencoderConfig config, NDManager manager, Path encoderParams, Path decoderParams)
            throws IOException, MalformedModelException {
        Autoencoder autoencoder = initialized(config, manager, 0);
        readParameters(autoencoder.encoder, manager, encoderParams);
        readParameters(autoencoder.decoder, manager, decoderParams);
        return autoencoder;
    }

    public void saveParameters(Path encoderParams, Path decoderParams) throws IOException {
        writeParameters(encoder, encoderParams);
        writeParameters(decoder, decoderParams);
    }

    public AutoencoderConfig config() {
        return config;
    }

    public Encoder encoder() {
        return encoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    private static void writeParameters(Block block, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            block.saveParameters(out);
        }
    }

    private static void readParameters(Block block, NDManager manager, Path file)
            throws IOException, MalformedModelException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            block.loadParameters(manager, in);
            if (in.read() != -1) {
                throw new MalformedModelException(file + " has bytes after the last parameter: it does not belong"
                        + " to this architecture (check config.json)");
            }
        }
    }
}
