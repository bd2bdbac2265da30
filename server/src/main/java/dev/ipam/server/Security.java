package dev.ipam.server;

import dev.ipam.server.http.Auth;
import dev.ipam.server.http.Guards;
import dev.ipam.server.http.Tls;
import dev.ipam.server.raft.RaftTls;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ipamd's security settings, decided once at start-up: who may call the HTTP API ({@link Auth}),
 * whether it is served over TLS ({@link Tls}), and the limits against abusive clients ({@link Guards}).
 *
 * <p>Anonymous access (every request an administrator) is the development default only: a node started
 * with no settings file, no token file, alone in its cluster. It says so with a WARN line. Every other
 * start (a settings file, several peers, or joining) needs {@code auth-tokens-file}, or an explicit
 * {@code auth-anonymous=true}.
 *
 * @param auth       the identities (closed with the daemon: it may poll its file)
 * @param tls        HTTPS key material, or null for plain HTTP
 * @param guards     request rate, header sizes and slow-request limits
 * @param devDefault whether anonymous access was turned on by the development default
 * @param raftTls    mutual TLS between Raft peers, or null (plain gRPC: only on a trusted network)
 */
public record Security(Auth auth, Tls tls, Guards guards, boolean devDefault, RaftTls raftTls) {
    private static final Logger LOG = LoggerFactory.getLogger(Security.class);
    /** The settings this class reads (Config accepts them). */
    public static final Set<String> KEYS = Set.of("auth-anonymous", "auth-token-poll-ms", "http-tls-client-ca",
            "http-requests-per-second", "http-requests-burst-max", "http-rate-identities-max", "http-header-bytes-max",
            "http-request-line-bytes-max", "http-request-read-timeout-ms",
            "raft-tls-key", "raft-tls-cert", "raft-tls-ca", "raft-tls-poll-ms");

    /** Decides the security of a node from its merged settings; a bad or missing one throws {@link Config.Invalid}. */
    public static Security from(Map<String, String> values, boolean configFileGiven, Config config) {
        try {
            Guards guards = Guards.from(values);
            Tls tls = null;
            if (config.tlsKeystore() != null) {
                String clientCa = values.get("http-tls-client-ca");
                tls = Tls.load(config.tlsKeystore(), config.tlsKeystorePassword(), clientCa == null ? null : Path.of(clientCa));
            } else if (values.get("http-tls-client-ca") != null) {
                throw new Config.Invalid("http-tls-client-ca needs tls-keystore: client certificates are asked for over HTTPS only");
            }
            RaftTls raftTls = raftTls(values, config);
            Path tokenFile = config.authTokensFile();
            String anonymousText = values.get("auth-anonymous");
            boolean anonymous = anonymousText != null && anonymousText.trim().equalsIgnoreCase("true");
            if (tokenFile != null && anonymous) {
                throw new Config.Invalid("auth-tokens-file and auth-anonymous=true contradict each other: keep one");
            }
            if (tokenFile != null) {
                long pollMs = Long.parseLong(values.getOrDefault("auth-token-poll-ms", "2000").trim());
                return new Security(Auth.watching(tokenFile, pollMs, System::currentTimeMillis), tls, guards, false,
                        raftTls);
            }
            if (anonymous) {
                LOG.warn("AUTHENTICATION IS OFF (auth-anonymous=true): every HTTP client is a cluster administrator");
                return new Security(Auth.off(), tls, guards, false, raftTls);
            }
            boolean alone = config.raft().peers().size() == 1 && !config.raft().join();
            if (!configFileGiven && alone) {
                LOG.warn("DEVELOPMENT MODE: no settings file and no auth-tokens-file, so authentication is OFF and every"
                        + " HTTP client is a cluster administrator. Set auth-tokens-file (see server/doc/security.md)"
                        + " before this node holds anything that matters.");
                return new Security(Auth.off(), tls, guards, true, raftTls);
            }
            throw new Config.Invalid("auth-tokens-file is not set: a configured or multi-node ipamd needs tokens"
                    + " (make them with 'ipamd hash-token'), or auth-anonymous=true to run without authentication");
        } catch (Config.Invalid e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new Config.Invalid(e.getMessage());
        }
    }

    private static RaftTls raftTls(Map<String, String> values, Config config) {
        String key = values.get("raft-tls-key");
        String cert = values.get("raft-tls-cert");
        String ca = values.get("raft-tls-ca");
        if (key == null && cert == null && ca == null) {
            if (config.raft().peers().size() > 1 || config.raft().join()) {
                LOG.warn("Raft traffic is NOT encrypted or authenticated (no raft-tls-key/cert/ca): anybody who can reach"
                        + " the Raft port can join, vote and read the log. Use this only on a trusted network.");
            }
            return null;
        }
        if (key == null || cert == null || ca == null) {
            throw new Config.Invalid("raft-tls-key, raft-tls-cert and raft-tls-ca go together: set all three (ops/dev-ca.sh"
                    + " makes development ones) or none");
        }
        long pollMs = Long.parseLong(values.getOrDefault("raft-tls-poll-ms", "5000").trim());
        return RaftTls.load(Path.of(key), Path.of(cert), Path.of(ca), pollMs);
    }

}
