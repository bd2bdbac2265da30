package dev.ipam.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ipam.server.http.ApiConfig;
import dev.ipam.server.raft.Peer;
import dev.ipam.server.raft.RaftSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * ipamd's settings: read from one file (properties, or YAML when the name ends in .yaml/.yml),
 * overridden by flags of the same names, defaulted to a single-node cluster on loopback. Every
 * problem names the setting and the fix; start-up stops on the first report.
 *
 * @param httpRequestBytesMax largest HTTP request body accepted
 * @param httpWorkerThreads threads that decode requests, validate, submit and encode answers
 * @param authTokensFile bearer tokens and roles (see the HTTP API docs); null = authentication off
 * @param tlsKeystore PKCS#12 key store with the server key and certificate; null = plain HTTP
 * @param tlsKeystorePassword its password (prefer the IPAMD_TLS_KEYSTORE_PASSWORD environment variable)
 */
public record Config(RaftSettings raft, String httpAddress, int httpRequestBytesMax, int httpWorkerThreads,
                     Path authTokensFile, Path tlsKeystore, String tlsKeystorePassword) {
    public static final String NODE_ID_DEFAULT = "node1";
    public static final String RAFT_ADDRESS_DEFAULT = "127.0.0.1:9860";
    public static final String HTTP_ADDRESS_DEFAULT = "127.0.0.1:8080";
    public static final int HTTP_REQUEST_BYTES_MAX_DEFAULT = 1024 * 1024;

    /** Every key a file or flag may set. */
    public static final Set<String> KEYS = Set.of("node-id", "raft-address", "http-address", "peers", "join", "data-dir",
            "group-name", "election-timeout-min-ms", "election-timeout-max-ms", "batch-commands-max", "batch-bytes-max",
            "batch-linger-us", "entries-in-flight-max", "pending-commands-max", "request-timeout-ms", "snapshot-auto-entries",
            "log-segment-bytes-max", "log-purge-gap-entries", "log-preserve-entries", "request-retention-entries",
            "http-request-bytes-max", "http-worker-threads", "auth-tokens-file", "tls-keystore", "tls-keystore-password", "unsafe-stale-reads");

    /** A setting that cannot be used: the message names it and says how to fix it. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** Reads {@code file} (may be null), then applies {@code overrides} (flag values by key). */
    public static Config load(Path file, Map<String, String> overrides) {
        return fromValues(values(file, overrides));
    }

    /** The merged settings of {@code file} and {@code overrides}, every key checked to be known. */
    public static Map<String, String> values(Path file, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        if (file != null) {
            values.putAll(readFile(file));
        }
        overrides.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v);
            }
        });
        for (String key : values.keySet()) {
            if (!KEYS.contains(key) && !Security.KEYS.contains(key)) {
                throw new Invalid("unknown setting '" + key + "'" + (file == null ? "" : " in " + file)
                        + "; known settings: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ", "
                        + String.join(", ", new java.util.TreeSet<>(Security.KEYS)));
            }
        }
        return values;
    }

    static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new Invalid("config: file " + file + " does not exist; pass an existing file or omit --config");
        }
        Map<String, String> values = new LinkedHashMap<>();
        String name = file.getFileName().toString();
        try (InputStream in = Files.newInputStream(file)) {
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                Map<?, ?> yaml = new ObjectMapper(new YAMLFactory()).readValue(in, Map.class);
                if (yaml != null) {
                    yaml.forEach((k, v) -> values.put(String.valueOf(k), yamlValue(v)));
                }
            } else {
                Properties properties = new Properties();
                properties.load(in);
                for (String key : properties.stringPropertyNames()) {
                    values.put(key, properties.getProperty(key).trim());
                }
            }
        } catch (IOException e) {
            throw new Invalid("config: cannot read " + file + ": " + e.getMessage() + "; fix the file's syntax");
        }
        return values;
    }

    private static String yamlValue(Object value) {
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(item -> parts.add(String.valueOf(item)));
            return String.join(",", parts);
        }
        return String.valueOf(value);
    }

    static Config fromValues(Map<String, String> values) {
        String nodeId = values.getOrDefault("node-id", NODE_ID_DEFAULT);
        String raftAddress = values.getOrDefault("raft-address", RAFT_ADDRESS_DEFAULT);
        String httpAddress = values.getOrDefault("http-address", HTTP_ADDRESS_DEFAULT);
        Peer self;
        try {
            self = new Peer(nodeId, raftAddress, httpAddress);
        } catch (IllegalArgumentException e) {
            throw new Invalid("node-id/raft-address/http-address: " + e.getMessage());
        }
        List<Peer> peers = new ArrayList<>();
        String peerList = values.get("peers");
        if (peerList == null || peerList.isBlank()) {
            peers.add(self);
        } else {
            for (String text : peerList.split("[,\\s]+")) {
                if (text.isBlank()) {
                    continue;
                }
                try {
                    peers.add(Peer.parse(text));
                } catch (IllegalArgumentException e) {
                    throw new Invalid("peers: " + e.getMessage());
                }
            }
        }
        boolean join = parseBoolean(values, "join", false);
        Path dataDir = Path.of(values.getOrDefault("data-dir", "data/" + nodeId));
        RaftSettings d = RaftSettings.defaults(self, List.of(self), dataDir);
        try {
            RaftSettings raft = new RaftSettings(self, peers, join, dataDir,
                    values.getOrDefault("group-name", d.groupName()),
                    parseInt(values, "election-timeout-min-ms", d.electionTimeoutMinMs()),
                    parseInt(values, "election-timeout-max-ms", d.electionTimeoutMaxMs()),
                    parseInt(values, "batch-commands-max", d.batchCommandsMax()),
                    parseInt(values, "batch-bytes-max", d.batchBytesMax()),
                    parseInt(values, "batch-linger-us", d.batchLingerUs()),
                    parseInt(values, "entries-in-flight-max", d.entriesInFlightMax()),
                    parseInt(values, "pending-commands-max", d.pendingCommandsMax()),
                    parseInt(values, "request-timeout-ms", d.requestTimeoutMs()),
                    parseLong(values, "snapshot-auto-entries", d.snapshotAutoEntries()),
                    parseLong(values, "log-segment-bytes-max", d.logSegmentBytesMax()),
                    parseInt(values, "log-purge-gap-entries", d.logPurgeGapEntries()),
                    parseLong(values, "log-preserve-entries", d.logPreserveEntries()),
                    parseLong(values, "request-retention-entries", d.requestRetentionEntries()),
                    parseBoolean(values, "unsafe-stale-reads", false));
            int requestBytesMax = parseInt(values, "http-request-bytes-max", HTTP_REQUEST_BYTES_MAX_DEFAULT);
            if (requestBytesMax < 1024) {
                throw new Invalid("http-request-bytes-max=" + requestBytesMax + ": use at least 1024");
            }
            int workerThreads = parseInt(values, "http-worker-threads", ApiConfig.WORKER_THREADS_DEFAULT);
            if (workerThreads < 1 || workerThreads > ApiConfig.WORKER_THREADS_MAX) {
                throw new Invalid("http-worker-threads=" + workerThreads + ": use 1.." + ApiConfig.WORKER_THREADS_MAX
                        + " (default " + ApiConfig.WORKER_THREADS_DEFAULT + ")");
            }
            String tokens = values.get("auth-tokens-file");
            String keystore = values.get("tls-keystore");
            String password = values.getOrDefault("tls-keystore-password", System.getenv("IPAMD_TLS_KEYSTORE_PASSWORD"));
            if (keystore != null && password == null) {
                throw new Invalid("tls-keystore=" + keystore + " needs its password: set tls-keystore-password or IPAMD_TLS_KEYSTORE_PASSWORD");
            }
            return new Config(raft, httpAddress, requestBytesMax, workerThreads, tokens == null ? null : Path.of(tokens),
                    keystore == null ? null : Path.of(keystore), password);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
    }

    private static int parseInt(Map<String, String> values, String key, int fallback) {
        String text = values.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new Invalid(key + "='" + text + "' is not a whole number; write digits only (default " + fallback + ")");
        }
    }

    private static long parseLong(Map<String, String> values, String key, long fallback) {
        String text = values.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new Invalid(key + "='" + text + "' is not a whole number; write digits only (default " + fallback + ")");
        }
    }

    private static boolean parseBoolean(Map<String, String> values, String key, boolean fallback) {
        String text = values.get(key);
        if (text == null) {
            return fallback;
        }
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new Invalid(key + "='" + text + "' must be true or false");
        };
    }
}
