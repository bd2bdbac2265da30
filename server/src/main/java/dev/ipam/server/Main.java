package dev.ipam.server;

import dev.ipam.core.Ipam;
import dev.ipam.ratis.IpamStateMachine;
import dev.ipam.server.http.ApiConfig;
import dev.ipam.server.http.ApiServer;
import dev.ipam.server.raft.RaftNode;
import dev.ipam.store.rocks.NativeLibrary;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ipamd}: one node of the replicated IPAM cluster. With no settings it runs a single-node
 * cluster on 127.0.0.1 (Raft 9860, HTTP 8080) with its data in {@code ./data/node1}.
 */
@Command(name = "ipamd", mixinStandardHelpOptions = true, version = "ipamd 0.1.0", sortOptions = false,
        subcommands = HashToken.class,
        description = "Runs one node of the Raft-replicated IPAM cluster. Settings come from --config (properties, "
                + "or YAML for .yaml/.yml) and the flags below (flags win); the keys in a file are the flag names without '--'.")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    static final int EXIT_OK = 0;
    static final int EXIT_BAD_SETTING = 2;
    static final int EXIT_START_FAILED = 3;

    @Option(names = "--config", description = "settings file (.properties, .yaml or .yml)")
    Path configFile;
    @Option(names = "--node-id", description = "this node's id (default node1)")
    String nodeId;
    @Option(names = "--raft-address", description = "host:port of the Raft transport (default 127.0.0.1:9860)")
    String raftAddress;
    @Option(names = "--http-address", description = "host:port of the HTTP API (default 127.0.0.1:8080)")
    String httpAddress;
    @Option(names = "--peers", description = "initial members: id=host:raftPort=host:httpPort,... including this node (default: this node alone)")
    String peers;
    @Option(names = "--join", arity = "0..1", fallbackValue = "true", description = "start empty and wait to be added by a member (true/false)")
    String join;
    @Option(names = "--data-dir", description = "data directory (default data/<node-id>)")
    String dataDir;
    @Option(names = "--group-name", description = "Raft group name; every member uses the same (default ipam)")
    String groupName;
    @Option(names = "--election-timeout-min-ms") String electionTimeoutMinMs;
    @Option(names = "--election-timeout-max-ms") String electionTimeoutMaxMs;
    @Option(names = "--batch-commands-max", description = "commands per Raft entry at most") String batchCommandsMax;
    @Option(names = "--batch-bytes-max", description = "bytes per Raft entry at most") String batchBytesMax;
    @Option(names = "--batch-linger-us", description = "while entries are in flight, wait at most this long for more commands (default: 6000 while the group has several members, 200 while this node is alone)") String batchLingerUs;
    @Option(names = "--entries-in-flight-max") String entriesInFlightMax;
    @Option(names = "--pending-commands-max", description = "queued commands at most; more are refused (503/429)") String pendingCommandsMax;
    @Option(names = "--request-timeout-ms") String requestTimeoutMs;
    @Option(names = "--snapshot-auto-entries", description = "snapshot every this many log entries") String snapshotAutoEntries;
    @Option(names = "--log-segment-bytes-max") String logSegmentBytesMax;
    @Option(names = "--log-purge-gap-entries") String logPurgeGapEntries;
    @Option(names = "--log-preserve-entries") String logPreserveEntries;
    @Option(names = "--request-retention-entries", description = "log entries a request id is remembered for retries") String requestRetentionEntries;
    @Option(names = "--http-request-bytes-max") String httpRequestBytesMax;
    @Option(names = "--http-worker-threads", description = "threads that decode, validate and answer HTTP requests "
            + "(default " + ApiConfig.WORKER_THREADS_DEFAULT + ")") String httpWorkerThreads;
    @Option(names = "--restore", description = "seed this node's EMPTY data dir from a backup file (ipamctl backup create) "
            + "before starting; every node of the new cluster is seeded from the same file")
    Path restoreFile;
    @Option(names = "--auth-tokens-file", description = "bearer tokens with roles per project; without it authentication is off")
    String authTokensFile;
    @Option(names = "--tls-keystore", description = "PKCS#12 key store: serve HTTPS") String tlsKeystore;
    @Option(names = "--tls-keystore-password", description = "or the IPAMD_TLS_KEYSTORE_PASSWORD environment variable")
    String tlsKeystorePassword;
    @Option(names = "--auth-anonymous", description = "true: no authentication, every client is an administrator (development)")
    String authAnonymous;
    @Option(names = "--http-requests-per-second", description = "requests per second per identity (0 = no limit; default 5000)")
    String httpRequestsPerSecond;

    @Option(names = "--unsafe-stale-reads", arity = "0..1", fallbackValue = "true",
            description = "UNSAFE, for the fault-injection (Jepsen) harness only: serve linearizable reads from local state without ReadIndex (default false)")
    String unsafeStaleReads;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Runnable running;
    private volatile Security security;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("node-id", nodeId);
        flags.put("raft-address", raftAddress);
        flags.put("http-address", httpAddress);
        flags.put("peers", peers);
        flags.put("join", join);
        flags.put("data-dir", dataDir);
        flags.put("group-name", groupName);
        flags.put("election-timeout-min-ms", electionTimeoutMinMs);
        flags.put("election-timeout-max-ms", electionTimeoutMaxMs);
        flags.put("batch-commands-max", batchCommandsMax);
        flags.put("batch-bytes-max", batchBytesMax);
        flags.put("batch-linger-us", batchLingerUs);
        flags.put("entries-in-flight-max", entriesInFlightMax);
        flags.put("pending-commands-max", pendingCommandsMax);
        flags.put("request-timeout-ms", requestTimeoutMs);
        flags.put("snapshot-auto-entries", snapshotAutoEntries);
        flags.put("log-segment-bytes-max", logSegmentBytesMax);
        flags.put("log-purge-gap-entries", logPurgeGapEntries);
        flags.put("log-preserve-entries", logPreserveEntries);
        flags.put("request-retention-entries", requestRetentionEntries);
        flags.put("http-request-bytes-max", httpRequestBytesMax);
        flags.put("http-worker-threads", httpWorkerThreads);
        flags.put("auth-tokens-file", authTokensFile);
        flags.put("tls-keystore", tlsKeystore);
        flags.put("tls-keystore-password", tlsKeystorePassword);
        flags.put("auth-anonymous", authAnonymous);
        flags.put("http-requests-per-second", httpRequestsPerSecond);
        flags.put("unsafe-stale-reads", unsafeStaleReads);
        return flags;
    }

    static ApiConfig apiConfig(Config config) {
        String address = config.httpAddress();
        int colon = address.lastIndexOf(':');
        return ApiConfig.defaults(Integer.parseInt(address.substring(colon + 1)))
                .withHost(address.substring(0, colon))
                .withBodyBytesMax(config.httpRequestBytesMax())
                .withWorkerThreads(config.httpWorkerThreads())
                .withRequestTimeoutMs(config.raft().requestTimeoutMs());
    }

    @Override
    public Integer call() {
        Config config;
        Security security;
        try {
            Map<String, String> values = Config.values(configFile, flags());
            config = Config.fromValues(values);
            security = Security.from(values, configFile != null, config);
        } catch (Config.Invalid e) {
            System.err.println("ipamd: bad setting: " + e.getMessage());
            return EXIT_BAD_SETTING;
        }
        // Before anything opens RocksDB (a restore does), so a killed node leaves no copy in /tmp.
        NativeLibrary.loadFrom(config.raft().dataDir().resolve(NativeLibrary.DIRECTORY)).ifPresent(LOG::warn);
        if (restoreFile != null) {
            try {
                dev.ipam.server.backup.Restore.Restored restored = dev.ipam.server.backup.Restore.seed(restoreFile,
                        config.raft().dataDir(), config.raft().groupName());
                System.out.println("ipamd: restored " + restoreFile + " at log index " + restored.logIndex()
                        + " (sha256 " + restored.sha256() + ") into " + config.raft().dataDir());
            } catch (java.io.IOException | RuntimeException e) {
                System.err.println("ipamd: restore refused, nothing changed: " + e.getMessage());
                return EXIT_BAD_SETTING;
            }
        }
        Ipam core = new Ipam();
        RaftNode node;
        ApiServer http;
        try {
            node = RaftNode.start(config.raft(), core, IpamStateMachine.Halt.process(), security.raftTls());
        } catch (RuntimeException e) {
            LOG.error("start-up failed", e);
            System.err.println("ipamd: cannot start raft node: " + e.getMessage());
            return EXIT_START_FAILED;
        }
        try {
            http = new ApiServer(apiConfig(config), node.replica(), node.admin(), core, security.auth(), security.tls(),
                    security.guards()).start();
        } catch (RuntimeException e) {
            LOG.error("start-up failed", e);
            System.err.println("ipamd: cannot serve HTTP on " + config.httpAddress() + ": " + e.getMessage());
            node.close();
            return EXIT_START_FAILED;
        }
        this.security = security;
        dev.ipam.server.metrics.NodeMetrics metrics = new dev.ipam.server.metrics.NodeMetrics(http.registry(), node.admin(),
                node.replica(), node.stateMachine(), config.raft().dataDir());
        Thread shutdownHook = new Thread(() -> {
            metrics.close();
            stop(http, node);
        }, "ipamd-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        running = () -> {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            metrics.close();
            stop(http, node);
        };
        System.out.println("ipamd " + config.raft().self().id() + " ready to serve: raft " + config.raft().self().raftAddress()
                + ", http " + config.httpAddress() + ", data " + config.raft().dataDir().toAbsolutePath());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    private void stop(ApiServer http, RaftNode node) {
        http.close();
        security.auth().close();
        node.close();
        stopped.countDown();
    }

    /** Stops a daemon started by {@link #call()} in this JVM (tests, embedding); a real one stops on SIGTERM. */
    public void shutdown() {
        Runnable stop = running;
        if (stop != null) {
            stop.run();
        }
    }
}
