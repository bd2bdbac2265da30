package dev.ipam.server.raft;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutual TLS between Raft peers (Ratis gRPC): each node presents its certificate and accepts only
 * peers (and clients) whose certificate chains to the cluster CA, so a host without such a
 * certificate can neither join, vote, append nor read the log.
 *
 * <p>Rotation without downtime: the key manager and trust manager given to gRPC are this class's
 * own; each TLS handshake asks them for the key, chain and trusted CAs, and they re-read the PEM files
 * when their size, modification time or file identity changed (checked at most every {@code pollMs}).
 * Existing connections keep their session; new ones use the new files. A set of files that fails to
 * load (e.g. a key that does not match its certificate) keeps the previous material and is logged.
 * Rotate by writing new files next to the old ones and renaming them over (ops/dev-ca.sh does).
 *
 * <p>Files: {@code key} a PKCS#8 PEM private key (RSA or EC), {@code cert} the PEM certificate chain,
 * {@code ca} the PEM certificates of the CAs to trust.
 */
public final class RaftTls {
    private static final Logger LOG = LoggerFactory.getLogger(RaftTls.class);
    private static final char[] NO_PASSWORD = new char[0];

    private final Path key;
    private final Path cert;
    private final Path ca;
    private final long pollMs;
    private volatile Material material;
    private volatile long checkedAtNanos;

    /** Keys and trust loaded from one version of the files. */
    private record Material(Object stamp, X509ExtendedKeyManager keys, X509ExtendedTrustManager trust,
                            X509Certificate leaf) {
    }

    private RaftTls(Path key, Path cert, Path ca, long pollMs) {
        this.key = key;
        this.cert = cert;
        this.ca = ca;
        this.pollMs = pollMs;
        this.material = load();
        this.checkedAtNanos = System.nanoTime();
    }

    /** Loads the files (failing with the setting's name) and re-reads them on change, checking every {@code pollMs}. */
    public static RaftTls load(Path key, Path cert, Path ca, long pollMs) {
        if (pollMs < 10 || pollMs > 3_600_000) {
            throw new IllegalArgumentException("bad setting raft-tls-poll-ms=" + pollMs + ": use 10..3600000 (default 5000)");
        }
        return new RaftTls(key, cert, ca, pollMs);
    }

    /** The Ratis parameters that turn on mutual TLS for the server, its admin and its clients. */
    public Parameters parameters() {
        GrpcTlsConfig conf = new GrpcTlsConfig(new Keys(), new Trust(), true);
        Parameters parameters = new Parameters();
        GrpcConfigKeys.TLS.setConf(parameters, conf);
        GrpcConfigKeys.Server.setTlsConf(parameters, conf);
        GrpcConfigKeys.Admin.setTlsConf(parameters, conf);
        GrpcConfigKeys.Client.setTlsConf(parameters, conf);
        return parameters;
    }

    /** The certificate this node presents now (after any reload). */
    public X509Certificate certificate() {
        return current().leaf();
    }

    /** Re-reads the files now if they changed; true when new material took effect. Throws if they fail to load. */
    public synchronized boolean reloadIfChanged() {
        Object stamp = stamp();
        checkedAtNanos = System.nanoTime();
        if (Objects.equals(stamp, material.stamp())) {
            return false;
        }
        material = load();
        LOG.info("raft TLS material reloaded: certificate {} serial {}", material.leaf().getSubjectX500Principal(),
                material.leaf().getSerialNumber().toString(16));
        return true;
    }

    private Material current() {
        if (System.nanoTime() - checkedAtNanos >= pollMs * 1_000_000L) {
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                LOG.error("raft TLS files not reloaded, the previous ones stay in force: {}", e.getMessage());
            }
        }
        return material;
    }

    private Object stamp() {
        List<Object> stamp = new ArrayList<>();
        for (Path file : List.of(key, cert, ca)) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                stamp.add(List.of(a.size(), a.lastModifiedTime().toMillis(), String.valueOf(a.fileKey())));
            } catch (IOException e) {
                throw new IllegalArgumentException("raft TLS: cannot read " + file + " (" + e + ")");
            }
        }
        return stamp;
    }

    private Material load() {
        Object stamp = stamp();
        try {
            List<X509Certificate> chain = certificates(cert);
            List<X509Certificate> cas = certificates(ca);
            if (chain.isEmpty() || cas.isEmpty()) {
                throw new IllegalArgumentException("raft-tls-cert and raft-tls-ca must each hold at least one PEM certificate");
            }
            PrivateKey privateKey = privateKey(key);
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("node", privateKey, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, NO_PASSWORD);
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trustStore.setCertificateEntry("ca" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            return new Material(stamp, (X509ExtendedKeyManager) kmf.getKeyManagers()[0],
                    (X509ExtendedTrustManager) tmf.getTrustManagers()[0], chain.get(0));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("raft TLS: cannot load raft-tls-key=" + key + ", raft-tls-cert=" + cert
                    + ", raft-tls-ca=" + ca + ": " + e.getMessage() + "; give PEM files (ops/dev-ca.sh makes them)", e);
        }
    }

    static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
        }
        return certificates;
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with"
                    + " openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException(file + ": the key is neither EC, RSA nor Ed25519");
    }

    /** The key manager gRPC holds: delegates to the current material. */
    private final class Keys extends X509ExtendedKeyManager {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return current().keys().getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return current().keys().chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return current().keys().chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return current().keys().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return current().keys().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return current().keys().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return current().keys().getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return current().keys().getPrivateKey(alias);
        }
    }

    /** The trust manager gRPC holds: delegates to the current material. */
    private final class Trust extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            current().trust().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            current().trust().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            current().trust().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            current().trust().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current().trust().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current().trust().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return current().trust().getAcceptedIssuers();
        }
    }
}
