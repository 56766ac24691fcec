package io.latentflow.infra;

import io.latentflow.connections.S3Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3-compatible server (S3Proxy) in this JVM on a free loopback port, signing with AWS
 * Signature V4 and a key pair generated at start. Clients talk to it through the S3 API only,
 * exactly as to MinIO or AWS.
 *
 * <p>With a state folder, objects are plain files under {@code <stateDir>/s3/<bucket>/<key>}
 * (S3Proxy's {@code filesystem-nio2} backend) and survive restarts; without one they live in
 * memory ({@code transient-nio2}) and vanish at close. Both list only real objects: unlike
 * jclouds' older {@code filesystem} backend, they do not report a phantom {@code dir/} entry for
 * a folder left empty by a delete ({@code EmbeddedS3Test} checks this).
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET_ALPHABET = KEY_ALPHABET + "abcdefghijklmnopqrstuvwxyz/+";

    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final S3Settings settings;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedS3(BlobStoreContext context, S3Proxy proxy, S3Settings settings) {
        this.context = context;
        this.proxy = proxy;
        this.settings = settings;
    }

    /**
     * Starts the server and creates {@code bucket} if it does not exist.
     *
     * @param stateDirOrNull folder whose {@code s3/} subfolder keeps the objects, or null to keep them in memory
     */
    public static EmbeddedS3 start(Path stateDirOrNull, String bucket) {
        return start(stateDirOrNull, bucket, null);
    }

    /**
     * {@link #start(Path, String)} serving https only, with {@code certificateOrNull}'s key; clients trust it with its
     * PEM ({@code --s3-ca-file}). Null: plain http.
     */
    public static EmbeddedS3 start(Path stateDirOrNull, String bucket, SelfSignedCertificate certificateOrNull) {
        return start(stateDirOrNull, bucket, 0, newAccessKey(), newSecretKey(), certificateOrNull);
    }

    /**
     * Like {@link #start(Path, String)}, on {@code port} (0: a free one) with the keys given: a server started again
     * with its port and keys after a crash is the same endpoint to clients that keep their keys (the cluster's S3
     * process).
     */
    public static EmbeddedS3 start(Path stateDirOrNull, String bucket, int port, String accessKey, String secretKey) {
        return start(stateDirOrNull, bucket, port, accessKey, secretKey, null);
    }

    private static EmbeddedS3 start(Path stateDirOrNull, String bucket, int port, String accessKey, String secretKey,
                                    SelfSignedCertificate certificateOrNull) {
        long started = System.nanoTime();
        String where = stateDirOrNull == null ? "in memory" : stateDirOrNull.resolve("s3").toString();
        BlobStoreContext context = blobStore(stateDirOrNull);
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secretKey);
        if (certificateOrNull == null) {
            builder.endpoint(URI.create("http://127.0.0.1:" + port));
        } else {
            builder.secureEndpoint(URI.create("https://127.0.0.1:" + port)).keyStore(
                    certificateOrNull.keyStore().toAbsolutePath().toString(), certificateOrNull.keyStorePassword());
        }
        S3Proxy proxy = builder.build();
        try {
            proxy.start();
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException("S3Proxy did not start (objects " + where + "): " + e.getMessage(), e);
        }
        S3Settings settings = certificateOrNull == null
                ? new S3Settings("http://127.0.0.1:" + proxy.getPort(), accessKey, secretKey, S3Settings.DEFAULT_REGION,
                        bucket)
                : new S3Settings("https://127.0.0.1:" + proxy.getSecurePort(), accessKey, secretKey,
                        S3Settings.DEFAULT_REGION, bucket);
        EmbeddedS3 s3 = new EmbeddedS3(context, proxy, settings);
        try {
            BlobStore store = context.getBlobStore();
            if (!store.containerExists(bucket)) {
                store.createContainerInLocation(null, bucket);
            }
        } catch (RuntimeException e) {
            s3.close();
            throw new IllegalArgumentException("Cannot create bucket '" + bucket + "': " + e.getMessage(), e);
        }
        LOG.info("S3 (S3Proxy) on {} in {} ms, bucket {}, access key {}, objects {}",
                settings.endpoint(), (System.nanoTime() - started) / 1_000_000, bucket, accessKey, where);
        return s3;
    }

    private static BlobStoreContext blobStore(Path stateDirOrNull) {
        Properties overrides = new Properties();
        String provider = "transient-nio2";
        if (stateDirOrNull != null) {
            Path objects = stateDirOrNull.resolve("s3").toAbsolutePath();
            try {
                Files.createDirectories(objects);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the S3 state folder " + objects, e);
            }
            provider = "filesystem-nio2";
            overrides.setProperty("jclouds.filesystem.basedir", objects.toString());
        }
        return ContextBuilder.newBuilder(provider)
                .credentials("embedded", "embedded") // jclouds wants some; the local backends ignore them
                .overrides(overrides)
                .build(BlobStoreContext.class);
    }

    /** A fresh access key, the form the server generates for itself. */
    public static String newAccessKey() {
        return "LF" + random(KEY_ALPHABET, 18);
    }

    /** A fresh secret key, the form the server generates for itself. */
    public static String newSecretKey() {
        return random(SECRET_ALPHABET, 40);
    }

    private static String random(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    public S3Settings settings() {
        return settings;
    }

    /** {@code http://127.0.0.1:<port>}, or https. */
    public String endpoint() {
        return settings.endpoint();
    }

    public int port() {
        return URI.create(settings.endpoint()).getPort();
    }

    /** The settings of this server reached through {@code link} (a fault test cuts or holds the link, not the server). */
    public S3Settings settingsThrough(NetworkLink link) {
        return new S3Settings(URI.create(settings.endpoint()).getScheme() + "://127.0.0.1:" + link.port(),
                settings.accessKey(), settings.secretKey(), settings.region(), settings.bucket(),
                settings.trustedCaPem());
    }

    /** A link to this server, for a fault test to cut or hold. */
    public NetworkLink link() {
        return NetworkLink.to("127.0.0.1", port());
    }

    /** Stops the server; calling it again does nothing. Objects on disk stay. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy on " + settings.endpoint() + " did not stop: " + e.getMessage(), e);
        } finally {
            context.close();
        }
        LOG.info("S3 on {} stopped", settings.endpoint());
    }
}
