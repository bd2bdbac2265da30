package dev.ipam.jepsen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N network namespaces on one bridge, one node process in each. Addresses come from one /24 inside
 * 10.213.0.0/16 that no interface or route of this machine uses yet; nothing outside it is touched.
 * Everything made here carries the prefix {@value #PREFIX} plus a run id, and is undone in reverse
 * order by {@link #close()}, which a shutdown hook also runs on Ctrl-C. Each run records its owner
 * (the harness's PID and start time) in {@value #OWNERS_DIR}; {@link #cleanupStale} removes what a
 * killed harness left behind and leaves the runs of live harnesses (a second checkout's CI) alone.
 *
 * <p>Partitions are iptables DROP rules on INPUT inside the namespaces (so the root namespace, where
 * clients and the nemesis live, always reaches every node). The root namespace gets one FORWARD
 * ACCEPT rule for the bridge, because with br_netfilter loaded bridged frames traverse the host's
 * FORWARD chain, whose policy may be DROP (Docker hosts).
 */
public final class NetnsCluster implements AutoCloseable {
    public static final String PREFIX = "ipjep";
    /** One file per run, named by its run id, holding the owning process's PID and start time. */
    public static final String OWNERS_DIR = "/run/ipjep";
    private static final Pattern RULE_RUN = Pattern.compile("--comment \"?" + PREFIX + "-([0-9a-f]{4})\\b");
    private static final int SUBNET_SECOND_OCTET = 213;
    private static final int NODES_MAX = 9;
    private static final long EXIT_WAIT_MS = 10_000;

    /** One node's place in the cluster; {@code ip} is its address on the bridge. */
    public record Node(String id, int index, String namespace, String ip) {
    }

    private final Shell shell;
    private final String runId;
    private final String bridge;
    private final String subnet;
    private final String bridgeIp;
    private final List<Node> nodes = new ArrayList<>();
    private final Deque<Runnable> undo = new ArrayDeque<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread hook;
    private final boolean forwardRule;

    private NetnsCluster(Shell shell, String runId, int thirdOctet) {
        this.shell = shell;
        this.runId = runId;
        this.bridge = PREFIX + runId;
        this.subnet = "10." + SUBNET_SECOND_OCTET + "." + thirdOctet;
        this.bridgeIp = subnet + ".1";
        this.forwardRule = Shell.available("iptables");
        this.hook = new Thread(this::close, "ipjep-cleanup-" + runId);
    }

    /**
     * Creates the bridge and {@code nodeCount} namespaces. Fails with a clear message when not root.
     *
     * @param runId 4 lowercase hex digits naming everything made (see {@link #newRunId})
     */
    public static NetnsCluster create(Shell shell, int nodeCount, String runId) {
        requireRoot();
        if (nodeCount < 1 || nodeCount > NODES_MAX) {
            throw new IllegalArgumentException("nodes must be 1.." + NODES_MAX + ": " + nodeCount);
        }
        if (!runId.matches("[0-9a-f]{4}")) {
            throw new IllegalArgumentException("runId must be 4 hex digits: " + runId);
        }
        NetnsCluster cluster = new NetnsCluster(shell, runId, freeThirdOctet(shell, runId));
        Runtime.getRuntime().addShutdownHook(cluster.hook);
        try {
            cluster.build(nodeCount);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public static String newRunId() {
        return String.format("%04x", new java.security.SecureRandom().nextInt(0x10000));
    }

    public static void requireRoot() {
        if (!Shell.isRoot()) {
            throw new IllegalStateException("the Jepsen harness must run as root (it creates network namespaces, "
                    + "a bridge and iptables rules); run it with sudo or as root. `id -u` is not 0.");
        }
    }

    private static int freeThirdOctet(Shell shell, String runId) {
        String used = shell.check("ip", "-o", "addr") + shell.check("ip", "route", "show", "table", "all");
        int start = Integer.parseInt(runId, 16) % 250 + 1;
        for (int i = 0; i < 250; i++) {
            int octet = (start + i - 1) % 250 + 1;
            if (!used.contains("10." + SUBNET_SECOND_OCTET + "." + octet + ".")) {
                return octet;
            }
        }
        throw new IllegalStateException("no free /24 left in 10." + SUBNET_SECOND_OCTET + ".0.0/16");
    }

    /** Where run {@code runId} records its owner. */
    public static Path ownerFile(String runId) {
        return Path.of(OWNERS_DIR, runId);
    }

    private void recordOwner() {
        ProcessHandle self = ProcessHandle.current();
        long started = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        Path file = ownerFile(runId);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, self.pid() + " " + started + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the run's owner in " + file, e);
        }
        undo.push(() -> forgetOwner(shell, runId));
    }

    /** Removes run {@code runId}'s owner record; a failure is logged, as every clean-up step's is. */
    private static void forgetOwner(Shell shell, String runId) {
        Path file = ownerFile(runId);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            shell.log().line("cleanup: " + file + ": " + e.getMessage());
        }
    }

    /** Whether the process recorded as run {@code runId}'s owner still runs (same PID, same start time). */
    static boolean ownerAlive(String runId) {
        String[] owner;
        try {
            owner = Files.readString(ownerFile(runId), StandardCharsets.US_ASCII).strip().split("\\s+");
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
        if (owner.length != 2 || !owner[0].matches("\\d{1,18}") || !owner[1].matches("\\d{1,18}")) {
            return false;
        }
        long started = Long.parseLong(owner[1]);
        return ProcessHandle.of(Long.parseLong(owner[0]))
                .filter(ProcessHandle::isAlive)
                .flatMap(handle -> handle.info().startInstant())
                .map(instant -> instant.toEpochMilli() == started)
                .orElse(false);
    }

    private void build(int nodeCount) {
        recordOwner();
        shell.check("ip", "link", "add", bridge, "type", "bridge");
        undo.push(() -> shell.run("ip", "link", "del", bridge));
        shell.check("ip", "addr", "add", bridgeIp + "/24", "dev", bridge);
        shell.check("ip", "link", "set", bridge, "up");
        if (forwardRule) {
            shell.check("iptables", "-I", "FORWARD", "-i", bridge, "-o", bridge, "-m", "comment", "--comment",
                    PREFIX + "-" + runId, "-j", "ACCEPT");
            undo.push(() -> shell.run("iptables", "-D", "FORWARD", "-i", bridge, "-o", bridge, "-m", "comment",
                    "--comment", PREFIX + "-" + runId, "-j", "ACCEPT"));
        }
        for (int i = 1; i <= nodeCount; i++) {
            Node node = new Node("n" + i, i, PREFIX + "-" + runId + "-n" + i, subnet + "." + (10 + i));
            String hostEnd = bridge + "v" + i;
            String nodeEnd = bridge + "p" + i;
            shell.check("ip", "netns", "add", node.namespace());
            undo.push(() -> shell.run("ip", "netns", "del", node.namespace()));
            shell.check("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nodeEnd);
            undo.push(() -> shell.run("ip", "link", "del", hostEnd));
            shell.check("ip", "link", "set", nodeEnd, "netns", node.namespace());
            shell.check("ip", "link", "set", hostEnd, "master", bridge);
            shell.check("ip", "link", "set", hostEnd, "up");
            shell.check("ip", "-n", node.namespace(), "link", "set", nodeEnd, "name", "eth0");
            shell.check("ip", "-n", node.namespace(), "addr", "add", node.ip() + "/24", "dev", "eth0");
            shell.check("ip", "-n", node.namespace(), "link", "set", "eth0", "up");
            shell.check("ip", "-n", node.namespace(), "link", "set", "lo", "up");
            nodes.add(node);
        }
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public Node node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + id));
    }

    public String runId() {
        return runId;
    }

    public String bridge() {
        return bridge;
    }

    public String bridgeIp() {
        return bridgeIp;
    }

    /**
     * Starts {@code command} inside the node's namespace (through {@code ip netns exec}), output
     * appended to {@code logFile}. The process is tracked by PID until it is killed.
     */
    public synchronized void start(Node node, List<String> command, Map<String, String> env, Path logFile) {
        if (closed.get()) {
            throw new IllegalStateException("cluster " + runId + " is closed");
        }
        Process previous = processes.get(node.id());
        if (previous != null && previous.isAlive()) {
            throw new IllegalStateException("node " + node.id() + " already runs as pid " + previous.pid());
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", node.namespace()));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            processes.put(node.id(), process);
            shell.log().line("started " + node.id() + " pid " + process.pid() + ": " + String.join(" ", full)
                    + (env.isEmpty() ? "" : " env " + env));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node " + node.id() + ": " + e.getMessage(), e);
        }
    }

    public boolean alive(Node node) {
        Process process = processes.get(node.id());
        return process != null && process.isAlive();
    }

    /** The PIDs of the node's process and its descendants (empty when it is not running). */
    public List<Long> pids(Node node) {
        Process process = processes.get(node.id());
        List<Long> pids = new ArrayList<>();
        if (process != null && process.isAlive()) {
            pids.add(process.pid());
            process.descendants().forEach(handle -> pids.add(handle.pid()));
        }
        return pids;
    }

    /** kill -9 of the node's process tree; waits (bounded) until it is gone. */
    public void kill(Node node) {
        signal(node, "-KILL");
        Process process = processes.remove(node.id());
        if (process != null) {
            try {
                if (!process.waitFor(EXIT_WAIT_MS, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("node " + node.id() + " pid " + process.pid() + " survived kill -9");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + node.id() + " to die", e);
            }
        }
    }

    public void pause(Node node) {
        signal(node, "-STOP");
    }

    public void resume(Node node) {
        signal(node, "-CONT");
    }

    private void signal(Node node, String signal) {
        List<Long> pids = pids(node);
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        shell.run(command);
    }

    /**
     * Cuts links: {@code grudge} maps a node id to the node ids whose packets it drops. Replaces any
     * partition in force.
     */
    public void partition(Map<String, Set<String>> grudge) {
        heal();
        for (Map.Entry<String, Set<String>> e : grudge.entrySet()) {
            Node node = node(e.getKey());
            for (String enemy : new TreeSet<>(e.getValue())) {
                shell.checkInNamespace(node.namespace(), "iptables", "-A", "INPUT", "-s", node(enemy).ip(), "-j", "DROP");
            }
        }
    }

    /** Removes every partition rule (only the INPUT chain of this cluster's namespaces is touched). */
    public void heal() {
        for (Node node : nodes) {
            shell.checkInNamespace(node.namespace(), "iptables", "-F", "INPUT");
        }
    }

    /** The DROP rules in force in a node's namespace, as {@code iptables -S INPUT} prints them. */
    public List<String> rules(Node node) {
        List<String> rules = new ArrayList<>();
        for (String line : shell.checkInNamespace(node.namespace(), "iptables", "-S", "INPUT").split("\n")) {
            if (line.contains("DROP") && line.startsWith("-A")) {
                rules.add(line.strip());
            }
        }
        return rules;
    }

    /** Kills every node process (resuming paused ones first) and undoes the network, in reverse order. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Node node : nodes) {
            try {
                resume(node);
                kill(node);
            } catch (RuntimeException e) {
                shell.log().line("cleanup: " + e.getMessage());
            }
        }
        for (Node node : nodes) {
            killNamespaceLeftovers(shell, node.namespace());
        }
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                shell.log().line("cleanup: " + e.getMessage());
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Called from the hook itself: nothing to remove.
        }
    }

    /** Processes still inside one of our namespaces are ours: kill them by PID. */
    private static void killNamespaceLeftovers(Shell shell, String namespace) {
        Shell.Result pids = shell.run("ip", "netns", "pids", namespace);
        if (!pids.ok()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-KILL"));
        for (String pid : pids.output().split("\\s+")) {
            if (pid.matches("\\d+")) {
                command.add(pid);
            }
        }
        if (command.size() > 2) {
            shell.run(command);
        }
    }

    /**
     * Removes what killed runs left behind (a harness killed with -9 runs no hook): namespaces and
     * links named {@value #PREFIX}*, their processes, and FORWARD rules commented {@value #PREFIX}-*,
     * of every run whose owner (see {@link #OWNERS_DIR}) no longer runs. Runs of live harnesses are
     * left alone.
     *
     * @return how many objects were removed
     */
    public static int cleanupStale(Shell shell) {
        requireRoot();
        Map<String, Boolean> live = new HashMap<>();
        Predicate<String> stale = runId -> !live.computeIfAbsent(runId, NetnsCluster::ownerAlive);
        int removed = 0;
        for (String line : shell.check("ip", "netns", "list").split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(PREFIX + "-") && stale.test(runIdOf(name.substring(PREFIX.length() + 1)))) {
                killNamespaceLeftovers(shell, name);
                shell.run("ip", "netns", "del", name);
                removed++;
            }
        }
        for (String line : shell.check("ip", "-o", "link", "show").split("\n")) {
            String[] fields = line.split(":\\s+");
            if (fields.length > 1) {
                String name = fields[1].split("@")[0];
                if (name.startsWith(PREFIX) && stale.test(runIdOf(name.substring(PREFIX.length())))) {
                    shell.run("ip", "link", "del", name);
                    removed++;
                }
            }
        }
        if (Shell.available("iptables")) {
            for (String rule : shell.check("iptables", "-S", "FORWARD").split("\n")) {
                Matcher run = RULE_RUN.matcher(rule);
                if (rule.startsWith("-A FORWARD") && run.find() && stale.test(run.group(1))) {
                    List<String> delete = new ArrayList<>(List.of("iptables", "-D"));
                    delete.addAll(List.of(rule.substring(3).split("\\s+")));
                    shell.run(delete);
                    removed++;
                }
            }
        }
        live.forEach((runId, alive) -> {
            if (!alive) {
                forgetOwner(shell, runId);
            }
        });
        return removed;
    }

    /** The run id a name continues with (its first 4 characters); what follows is the node or veth suffix. */
    private static String runIdOf(String rest) {
        return rest.length() >= 4 ? rest.substring(0, 4) : rest;
    }
}
