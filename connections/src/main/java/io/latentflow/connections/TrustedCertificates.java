package io.latentflow.connections;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities of a PEM file ({@code --s3-ca-file}), trusted instead of the JDK's, the way
 * {@code curl --cacert} trusts them. The settings carry the PEM text, not the path, so a Flink task on another host
 * trusts the same authorities without the file.
 */
public final class TrustedCertificates {

    private final X509TrustManager trustManager;
    private final SSLContext context;

    private TrustedCertificates(X509TrustManager trustManager, SSLContext context) {
        this.trustManager = trustManager;
        this.context = context;
    }

    /** The PEM text of {@code file}, checked to hold at least one certificate. */
    public static String readPem(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--s3-ca-file " + file + " does not exist: give the PEM file of the"
                    + " certificate authority that signed the S3 endpoint's certificate");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA file " + file, e);
        }
        try {
            of(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--s3-ca-file " + file + ": " + e.getMessage(), e);
        }
        return pem;
    }

    /** Trusts exactly the certificates of {@code pem}. */
    public static TrustedCertificates of(String pem) {
        try {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            X509TrustManager trustManager = null;
            for (TrustManager candidate : factory.getTrustManagers()) {
                if (candidate instanceof X509TrustManager x509) {
                    trustManager = x509;
                }
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager}, null);
            return new TrustedCertificates(trustManager, context);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    public X509TrustManager trustManager() {
        return trustManager;
    }

    public SSLContext sslContext() {
        return context;
    }
}
