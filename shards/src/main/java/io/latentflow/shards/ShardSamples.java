package io.latentflow.shards;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a shard back (the mirror of {@link ShardWriter}): each key with its latent's .npy bytes and its
 * metadata JSON. A member that is neither, or a sample missing one of its two members, is refused by name: the shard
 * is not one this project wrote.
 */
public final class ShardSamples {

    /** Far above any latent (2 x 16 x 128 x 128 float32 is 2 MB): a member claiming more is not a sample's. */
    private static final long MAX_MEMBER_BYTES = 64L << 20;

    /** One sample: {@code <key>.latent.npy} and {@code <key>.json}. */
    public record Sample(String key, byte[] latentNpy, byte[] metadataJson) {
    }

    private ShardSamples() {
    }

    /**
     * @param tar  the shard's bytes, read to the end (not closed here)
     * @param name what the shard is, for error messages (its path or URI)
     * @return the samples in the order of their latents in the shard
     */
    public static List<Sample> read(InputStream tar, String name) throws IOException {
        Map<String, byte[]> latents = new LinkedHashMap<>();
        Map<String, byte[]> metadata = new LinkedHashMap<>();
        TarArchiveInputStream archive = new TarArchiveInputStream(tar);
        for (TarArchiveEntry entry = archive.getNextEntry(); entry != null; entry = archive.getNextEntry()) {
            if (!entry.isFile()) {
                continue;
            }
            String member = entry.getName();
            if (entry.getSize() > MAX_MEMBER_BYTES) {
                throw new IOException(name + ": member " + member + " is " + entry.getSize() + " bytes, too large for a"
                        + " sample of a latent shard");
            }
            if (member.endsWith(ShardWriter.LATENT_SUFFIX)) {
                latents.put(keyOf(member, ShardWriter.LATENT_SUFFIX), archive.readAllBytes());
            } else if (member.endsWith(ShardWriter.METADATA_SUFFIX)) {
                metadata.put(keyOf(member, ShardWriter.METADATA_SUFFIX), archive.readAllBytes());
            } else {
                throw new IOException(name + ": member " + member + " is neither <key>" + ShardWriter.LATENT_SUFFIX
                        + " nor <key>" + ShardWriter.METADATA_SUFFIX + "; is this a latent shard?");
            }
        }
        List<Sample> samples = new ArrayList<>();
        for (Map.Entry<String, byte[]> latent : latents.entrySet()) {
            byte[] json = metadata.remove(latent.getKey());
            if (json == null) {
                throw new IOException(name + ": sample " + latent.getKey() + " has no " + latent.getKey()
                        + ShardWriter.METADATA_SUFFIX);
            }
            samples.add(new Sample(latent.getKey(), latent.getValue(), json));
        }
        if (!metadata.isEmpty()) {
            throw new IOException(name + ": sample " + metadata.keySet().iterator().next() + " has no latent member");
        }
        return samples;
    }

    private static String keyOf(String member, String suffix) {
        return member.substring(0, member.length() - suffix.length());
    }
}
