package io.latentflow.jobs.encode;

import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** The members of a tar shard in the bucket, name to bytes, in archive order. */
final class ShardContents {

    private ShardContents() {
    }

    static Map<String, byte[]> read(MinioClient client, String bucket, String key) throws Exception {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (InputStream object = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
             TarArchiveInputStream tar = new TarArchiveInputStream(object)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (members.put(entry.getName(), tar.readAllBytes()) != null) {
                    throw new AssertionError(key + " holds member " + entry.getName() + " twice");
                }
            }
        }
        return members;
    }
}
