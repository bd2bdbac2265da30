package dev.ipam.server.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;

/**
 * HTTPS for the API: the server's key and certificate chain from a PKCS#12 key store. kubectl sends
 * bearer tokens only over TLS, so authentication with kubectl needs this.
 */
public final class Tls {
    final SslContext context;

    private Tls(SslContext context) {
        this.context = context;
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
        try (InputStream in = Files.newInputStream(pkcs12)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SslContextBuilder builder = SslContextBuilder.forServer(keys);
            if (clientCa != null) {
                builder.trustManager(clientCa.toFile()).clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL);
            }
            return new Tls(builder.build());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("bad setting http.tlsKeyStore=" + pkcs12 + ": " + e.getMessage()
                    + "; give a readable PKCS#12 key store with the server's key and certificate, and its password"
                    + " (e.g. keytool -genkeypair -storetype PKCS12 ...)", e);
        }
    }
}
