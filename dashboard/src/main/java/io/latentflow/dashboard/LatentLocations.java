package io.latentflow.dashboard;

import io.latentflow.schemas.LatentRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the most recently encoded latents are, from the {@code latents} topic: the worst images of a window are named
 * by image id only, and their {@link LatentRecord}s name the shard and member. Bounded to the latest
 * {@code capacity} latents, which cover the windows the page shows; older ones are forgotten. Thread-safe.
 */
final class LatentLocations {

    private final int capacity;
    private final Map<String, Location> byModelAndImage;

    /** Where one latent is stored. */
    record Location(String shardUri, String member) {
    }

    LatentLocations(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the dashboard must remember at least one latent, got " + capacity);
        }
        this.capacity = capacity;
        this.byModelAndImage = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Location> eldest) {
                return size() > LatentLocations.this.capacity;
            }
        };
    }

    int capacity() {
        return capacity;
    }

    synchronized void add(LatentRecord latent) {
        String key = key(latent.getModelVersion(), latent.getImageId());
        byModelAndImage.remove(key); // a re-encoded image moves to the newest end
        byModelAndImage.put(key, new Location(latent.getShardUri(), latent.getMember()));
    }

    synchronized Optional<Location> find(String model, String imageId) {
        return Optional.ofNullable(byModelAndImage.get(key(model, imageId)));
    }

    private static String key(String model, String imageId) {
        return model + '\n' + imageId;
    }
}
