package io.latentflow.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A key pair and a certificate for {@code localhost} and {@code 127.0.0.1}, signed by itself, made with the JDK's
 * {@code keytool}: the PKCS12 key store a TLS server (the embedded broker's SASL_SSL listener, the embedded S3 server's
 * https endpoint) serves, and the PEM of the certificate a client trusts in place of a certificate authority's.
 */
public record SelfSignedCertificate(Path keyStore, String keyStorePassword, Path certificatePem) {

    private static final String ALIAS = "latentflow";

    /** Writes {@code server.p12} and {@code ca.pem} into {@code folder}. */
    public static SelfSignedCertificate create(Path folder) {
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Path keyStore = folder.resolve("server.p12");
        Path pem = folder.resolve("ca.pem");
        try {
            Files.createDirectories(folder);
            keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                    "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                    "-storepass", password, "-file", pem.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a self-signed certificate in " + folder, e);
        }
        return new SelfSignedCertificate(keyStore, password, pem);
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed (exit code " + process.exitValue() + "): "
                    + output);
        }
    }
}
