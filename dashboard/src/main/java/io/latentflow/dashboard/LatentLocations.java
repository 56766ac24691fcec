package io.latentflow.dashboard;

import io.latentflow.schemas.LatentRecord;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the most recently encoded latents are, from the {@code latents} topic: the worst images of a window are named
 * by image id only, and their {@link LatentRecord}s carry the latent itself (up to the writer's inline bound) and name
 * the shard and member. Bounded to the latest {@code capacity} latents, which cover the windows the page shows; older
 * ones are forgotten. The inline bytes are kept for the newest latents only, up to {@code inlineBudgetBytes} in all
 * (the latest window's worst images are among the newest); an older latent is read from its shard. Thread-safe.
 */
final class LatentLocations {

    /** 64 MiB: some 4,000 latents of 8 x 32 x 32 float16, 500 of 16 x 64 x 64. */
    static final long DEFAULT_INLINE_BUDGET_BYTES = 64L * 1024 * 1024;

    private final int capacity;
    private final long inlineBudgetBytes;
    private final Map<String, Location> byModelAndImage;
    /** Keys whose location holds inline bytes, oldest first. */
    private final Deque<String> inlineOrder = new ArrayDeque<>();
    private long inlineBytes;

    /**
     * Where one latent is: in its shard, and inline when {@code npy} is not null.
     *
     * @param npy the latent's .npy bytes from its record, or null (not carried, or forgotten for newer ones)
     */
    record Location(String shardUri, String member, byte[] npy) {
        Location withoutInline() {
            return new Location(shardUri, member, null);
        }
    }

    LatentLocations(int capacity) {
        this(capacity, DEFAULT_INLINE_BUDGET_BYTES);
    }

    LatentLocations(int capacity, long inlineBudgetBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the dashboard must remember at least one latent, got " + capacity);
        }
        this.capacity = capacity;
        this.inlineBudgetBytes = inlineBudgetBytes;
        this.byModelAndImage = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Location> eldest) {
                if (size() <= LatentLocations.this.capacity) {
                    return false;
                }
                forgetInline(eldest.getKey(), eldest.getValue());
                return true;
            }
        };
    }

    int capacity() {
        return capacity;
    }

    synchronized void add(LatentRecord latent) {
        String key = key(latent.getModelVersion(), latent.getImageId());
        Location previous = byModelAndImage.remove(key); // a re-encoded image moves to the newest end
        if (previous != null) {
            forgetInline(key, previous);
        }
        byte[] npy = bytes(latent.getLatentNpy());
        if (npy != null && npy.length > inlineBudgetBytes) {
            npy = null;
        }
        byModelAndImage.put(key, new Location(latent.getShardUri(), latent.getMember(), npy));
        if (npy != null) {
            inlineOrder.addLast(key);
            inlineBytes += npy.length;
            while (inlineBytes > inlineBudgetBytes) {
                String oldest = inlineOrder.removeFirst();
                Location location = byModelAndImage.get(oldest);
                if (location != null && location.npy() != null) {
                    inlineBytes -= location.npy().length;
                    byModelAndImage.replace(oldest, location.withoutInline());
                }
            }
        }
    }

    synchronized Optional<Location> find(String model, String imageId) {
        return Optional.ofNullable(byModelAndImage.get(key(model, imageId)));
    }

    private void forgetInline(String key, Location location) {
        if (location.npy() != null) {
            inlineOrder.remove(key);
            inlineBytes -= location.npy().length;
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static String key(String model, String imageId) {
        return model + '\n' + imageId;
    }
}
