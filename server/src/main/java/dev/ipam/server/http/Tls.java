package dev.ipam.server.http;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS for the API: the server's key and certificate chain from a PKCS#12 key store. kubectl sends
 * bearer tokens only over TLS, so authentication with kubectl needs this.
 *
 * <p>Rotation without restart: new connections look at the key store (and the client CA file)
 * at most once per {@link #CHECK_INTERVAL_MS}; when a file's size or modification time changed,
 * it is loaded again and later handshakes use it. Connections already open keep their session. A
 * file that does not load (half-written, wrong password) is logged and the previous material stays
 * in force, so a botched rotation never takes HTTPS down.
 */
public final class Tls {
    private static final Logger LOG = LoggerFactory.getLogger(Tls.class);
    /** How often, at most, a new connection checks the files for a rotation. */
    public static final long CHECK_INTERVAL_MS = 1000;

    private final Path pkcs12;
    private final String password;
    private final Path clientCa;
    private volatile SslContext context;
    private volatile List<String> loadedStamp;
    private volatile long nextCheckNanos;

    private Tls(Path pkcs12, String password, Path clientCa) {
        this.pkcs12 = pkcs12;
        this.password = password;
        this.clientCa = clientCa;
    }

    /** Loads a PKCS#12 key store; a bad one fails with the setting's name and the fix. */
    public static Tls load(Path pkcs12, String password) {
        return load(pkcs12, password, null);
    }

    /**
     * As above, and asks clients for a certificate signed by the CA in the PEM file {@code clientCa}
     * (optional for the client: one without a certificate authenticates with a token). A verified
     * certificate's subject common name is matched against {@code cn:NAME} lines of the token file.
     */
    public static Tls load(Path pkcs12, String password, Path clientCa) {
        Tls tls = new Tls(pkcs12, password, clientCa);
        try {
            tls.loadedStamp = tls.stamp();
            tls.context = tls.build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("bad setting http.tlsKeyStore=" + pkcs12 + ": " + e.getMessage()
                    + "; give a readable PKCS#12 key store with the server's key and certificate, and its password"
                    + " (e.g. keytool -genkeypair -storetype PKCS12 ...)", e);
        }
        tls.nextCheckNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_INTERVAL_MS);
        return tls;
    }

    /** The context for a new connection, after a rotation check if one is due. */
    SslContext context() {
        if (System.nanoTime() - nextCheckNanos >= 0) {
            reloadIfChanged();
        }
        return context;
    }

    /**
     * Loads the files again if their size or modification time changed since the last load; true
     * when new material is now in force. A file that does not load leaves the old material in force.
     */
    public synchronized boolean reloadIfChanged() {
        nextCheckNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_INTERVAL_MS);
        List<String> stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            LOG.error("HTTPS key store {} not readable, the previous one stays in force: {}", pkcs12, e.getMessage());
            return false;
        }
        if (stamp.equals(loadedStamp)) {
            return false;
        }
        try {
            context = build();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.error("HTTPS key store {} changed but does not load, the previous one stays in force: {}", pkcs12, e.getMessage());
            return false;
        } finally {
            // Remembered either way: a broken file is reported once, not on every connection.
            loadedStamp = stamp;
        }
        LOG.info("HTTPS key store {} reloaded", pkcs12);
        return true;
    }

    private List<String> stamp() throws IOException {
        return clientCa == null ? List.of(stamp(pkcs12)) : List.of(stamp(pkcs12), stamp(clientCa));
    }

    private static String stamp(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return attributes.size() + "@" + attributes.lastModifiedTime().toMillis() + "#" + attributes.fileKey();
    }

    private SslContext build() throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pkcs12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SslContextBuilder builder = SslContextBuilder.forServer(keys);
            if (clientCa != null) {
                builder.trustManager(clientCa.toFile()).clientAuth(ClientAuth.OPTIONAL);
            }
            return builder.build();
        }
    }
}
