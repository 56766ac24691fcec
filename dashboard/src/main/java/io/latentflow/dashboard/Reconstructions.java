package io.latentflow.dashboard;

import io.latentflow.shards.LatentNpy;
import io.latentflow.connections.S3Settings;
import io.latentflow.registry.TrustedKeys;
import io.latentflow.model.LatentDecoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;

/**
 * Decodes the latents of a window's worst images back into pictures, so that a user sees what the outliers are.
 * The latent is found through its record on the {@code latents} topic ({@link LatentLocations}): the record carries
 * it, so the latest window's images show within a checkpoint of being encoded; a latent whose bytes the record did
 * not carry (or the dashboard no longer keeps) is read from its shard in the bucket once that has rolled. It is decoded by its model version's decoder on one thread of its
 * own (decoders are not thread-safe, and one at a time keeps a dashboard from competing with the encoder for cores).
 * The last {@value #CACHED} pictures are kept: the page asks for the same ones on every refresh.
 */
final class Reconstructions implements AutoCloseable {

    private static final int CACHED = 64;
    private static final long DECODE_TIMEOUT_S = 120;

    private final String unavailableReason;
    private final LatentLocations locations;
    private final ShardMemberReader shards;
    private final ReconstructionModels models;
    private final ExecutorService decoding;
    private final Map<String, byte[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > CACHED;
        }
    };

    private Reconstructions(String unavailableReason, S3Settings s3, TrustedKeys trusted, LatentLocations locations) {
        this.unavailableReason = unavailableReason;
        this.locations = locations;
        this.shards = s3 == null ? null : new ShardMemberReader(s3);
        this.models = s3 == null ? null : new ReconstructionModels(s3, trusted);
        this.decoding = s3 == null ? null : Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dashboard-decoder");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param s3        where the shards are; null when the dashboard was given no object store
     * @param trusted   whose signature a version needs before its decoder is used
     * @param locations where the recent latents are, filled from the {@code latents} topic
     */
    static Reconstructions of(S3Settings s3, TrustedKeys trusted, LatentLocations locations) {
        return s3 == null
                ? new Reconstructions("no object store was given (--s3-endpoint), so latents cannot be fetched", null,
                        trusted, locations)
                : new Reconstructions(null, s3, trusted, locations);
    }

    boolean available() {
        return unavailableReason == null;
    }

    /** Why pictures cannot be shown at all; null when they can. */
    String unavailableReason() {
        return unavailableReason;
    }

    /**
     * The PNG that {@code model} decodes the latent of {@code imageId} to.
     *
     * @throws IOException naming what is missing or wrong: the latent record, the shard, the member, the model
     */
    byte[] png(String model, String imageId) throws IOException {
        if (!available()) {
            throw new IOException(unavailableReason);
        }
        LatentLocations.Location location = locations.find(model, imageId).orElseThrow(() -> new IOException(
                "no record of its latent (model " + model + ") among the last " + locations.capacity()
                        + " read from the latents topic"));
        String shardUri = location.shardUri();
        String member = location.member();
        byte[] inline = location.npy();
        String key = model + "\n" + shardUri + "\n" + member;
        synchronized (cache) {
            byte[] cached = cache.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Future<byte[]> decoded = decoding.submit(() -> inline != null
                ? decode(model, inline, "the latents record of " + imageId)
                : decode(model, shards.read(shardUri, member), shardUri + " member " + member));
        byte[] png;
        try {
            png = decoded.get(DECODE_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            decoded.cancel(false);
            throw new IOException("decoding " + member + " took over " + DECODE_TIMEOUT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding " + member, e);
        }
        synchronized (cache) {
            cache.put(key, png);
        }
        return png;
    }

    private byte[] decode(String model, byte[] npy, String name) throws IOException {
        LatentDecoder decoder = models.decoder(model);
        LatentNpy latent;
        try {
            latent = LatentNpy.parse(npy, name);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        float[] pixels;
        try {
            pixels = decoder.decode(latent.values(), 1, latent.height(), latent.width());
        } catch (RuntimeException e) {
            throw new IOException("model " + model + " cannot decode " + name + " (" + latent.channels() + "x"
                    + latent.height() + "x" + latent.width() + "): " + e.getMessage(), e);
        }
        int f = models.downsamplingFactor(model);
        return toPng(pixels, latent.height() * f, latent.width() * f);
    }

    /** RGB planes in [-1, 1] (the decoder's output) to PNG bytes. */
    static byte[] toPng(float[] chw, int height, int width) throws IOException {
        int plane = height * width;
        if (chw.length != 3 * plane) {
            throw new IOException("the decoder returned " + chw.length + " values for a " + width + "x" + height
                    + " RGB image");
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            image.setRGB(i % width, i / width, (toByte(chw[i]) << 16) | (toByte(chw[i + plane]) << 8)
                    | toByte(chw[i + 2 * plane]));
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }

    private static int toByte(float signed) {
        return Math.max(0, Math.min(255, Math.round((signed + 1) * 127.5f)));
    }

    @Override
    public void close() {
        if (decoding == null) {
            return;
        }
        decoding.submit(models::close);
        decoding.shutdown();
        try {
            decoding.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
