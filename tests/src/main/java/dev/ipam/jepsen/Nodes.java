package dev.ipam.jepsen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The node processes of one run: starts each with its template in its namespace, on its own data
 * dir under the run dir, and remembers which are down, paused, skewed or removed so that
 * {@link #healAll} can put everything back before the final reads.
 */
public final class Nodes {
    /** libfaketime from the Debian package {@code libfaketime}. */
    public static final String FAKETIME_LIBRARY = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private final NetnsCluster cluster;
    private final NodeCommand command;
    private final Path runDir;
    private final Shell.Log log;
    private final Set<String> down = new TreeSet<>();
    private final Set<String> paused = new TreeSet<>();
    private final Set<String> skewed = new TreeSet<>();
    private final Set<String> removed = new TreeSet<>();
    private int wipes;

    public Nodes(NetnsCluster cluster, NodeCommand command, Path runDir, Shell.Log log) {
        this.cluster = cluster;
        this.command = command;
        this.runDir = runDir;
        this.log = log;
    }

    public List<NetnsCluster.Node> all() {
        return cluster.nodes();
    }

    public NetnsCluster.Node node(String id) {
        return cluster.node(id);
    }

    public String httpAddress(NetnsCluster.Node node) {
        return command.httpAddress(node);
    }

    public String raftAddress(NetnsCluster.Node node) {
        return command.raftAddress(node);
    }

    /** Node id to http address, in node order. */
    public Map<String, String> httpAddresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        cluster.nodes().forEach(node -> addresses.put(node.id(), httpAddress(node)));
        return addresses;
    }

    Path dataDir(NetnsCluster.Node node) {
        return runDir.resolve("nodes").resolve(node.id()).resolve("data");
    }

    Path logFile(NetnsCluster.Node node) {
        return runDir.resolve("nodes").resolve(node.id()).resolve("node.log");
    }

    public synchronized void startAll() {
        for (NetnsCluster.Node node : cluster.nodes()) {
            start(node, null, false);
        }
    }

    /** Starts the node; {@code faketime} (a FAKETIME value) runs it under libfaketime. */
    public synchronized void start(NetnsCluster.Node node, String faketime, boolean joining) {
        try {
            Files.createDirectories(dataDir(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new TreeMap<>();
        if (faketime != null) {
            if (!Files.exists(Path.of(FAKETIME_LIBRARY))) {
                throw new IllegalStateException("clock skew needs " + FAKETIME_LIBRARY + ": apt-get install libfaketime");
            }
            env.put("LD_PRELOAD", FAKETIME_LIBRARY);
            env.put("FAKETIME", faketime);
            env.put("FAKETIME_NO_CACHE", "1");
            skewed.add(node.id());
        } else {
            skewed.remove(node.id());
        }
        List<String> words = command.expand(node, cluster.nodes(), dataDir(node), joining);
        appendLog(node, "=== start " + String.join(" ", words) + (env.isEmpty() ? "" : " " + env));
        cluster.start(node, words, env, logFile(node));
        down.remove(node.id());
    }

    public boolean alive(NetnsCluster.Node node) {
        return cluster.alive(node);
    }

    public synchronized void kill(NetnsCluster.Node node) {
        appendLog(node, "=== kill -9");
        cluster.kill(node);
        paused.remove(node.id());
        down.add(node.id());
    }

    public synchronized void pause(NetnsCluster.Node node) {
        cluster.pause(node);
        paused.add(node.id());
    }

    public synchronized void resume(NetnsCluster.Node node) {
        cluster.resume(node);
        paused.remove(node.id());
    }

    /** Moves the node's data dir aside (kept for forensics) so that it restarts empty. */
    public synchronized void wipe(NetnsCluster.Node node) {
        Path data = dataDir(node);
        if (Files.exists(data)) {
            try {
                Files.move(data, data.resolveSibling("data.removed." + (++wipes)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public synchronized void markRemoved(NetnsCluster.Node node, boolean isRemoved) {
        if (isRemoved) {
            removed.add(node.id());
        } else {
            removed.remove(node.id());
        }
    }

    public synchronized Set<String> removed() {
        return Set.copyOf(removed);
    }

    public void partition(Map<String, Set<String>> grudge) {
        cluster.partition(grudge);
    }

    public void heal() {
        cluster.heal();
    }

    /**
     * Ends every fault: heals the network, resumes paused nodes, restarts skewed nodes on the real
     * clock and dead nodes on their data. Removed members are left to {@link Nemesis#readd}.
     */
    public synchronized void healAll() {
        cluster.heal();
        for (String id : Set.copyOf(paused)) {
            resume(cluster.node(id));
        }
        for (String id : Set.copyOf(skewed)) {
            kill(cluster.node(id));
        }
        for (NetnsCluster.Node node : cluster.nodes()) {
            if (!cluster.alive(node)) {
                down.add(node.id());
            }
        }
        for (String id : Set.copyOf(down)) {
            if (!removed.contains(id)) {
                start(cluster.node(id), null, false);
            }
        }
    }

    private void appendLog(NetnsCluster.Node node, String line) {
        log.line(node.id() + " " + line);
        try {
            Files.createDirectories(logFile(node).getParent());
            Files.writeString(logFile(node), line + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
