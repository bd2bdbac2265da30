package dev.ipam.jepsen;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing, on this machine: namespaces, bridge, veths, processes, iptables partitions, and
 * the cleanup of all of it. Needs root and iptables; skipped with the reason otherwise.
 */
@Tag("netns")
class NetnsClusterTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final Shell shell = new Shell(log::add);

    @TempDir
    Path dir;

    @BeforeEach
    void requireRootAndTools() {
        assumeTrue(Shell.isRoot(), "skipped: network namespaces need root (id -u is not 0)");
        assumeTrue(Shell.available("iptables"), "skipped: iptables is not installed (apt-get install iptables)");
    }

    private String namespaces() {
        return shell.check("ip", "netns", "list");
    }

    private boolean linkExists(String name) {
        return shell.run("ip", "link", "show", name).ok();
    }

    private static boolean processExists(long pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    private static char processState(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
    }

    @Test
    void createsNamespacesRunsProcessesAndRemovesEverything() throws Exception {
        NetnsCluster cluster = NetnsCluster.create(shell, 3, NetnsCluster.newRunId());
        List<Long> pids = new ArrayList<>();
        try {
            for (NetnsCluster.Node node : cluster.nodes()) {
                assertTrue(namespaces().contains(node.namespace()), node.namespace());
                assertTrue(node.ip().startsWith("10.213."), node.ip());
                cluster.start(node, List.of("sleep", "300"), Map.of(), dir.resolve(node.id() + ".log"));
                pids.addAll(cluster.pids(node));
                // `ip netns exec` enters the namespace after it has started: wait (bounded) until it has.
                String pid = Long.toString(cluster.pids(node).get(0));
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                        assertTrue(shell.check("ip", "netns", "pids", node.namespace()).lines().anyMatch(pid::equals),
                                "the process runs inside " + node.namespace()));
                String address = shell.checkInNamespace(node.namespace(), "ip", "-o", "addr", "show", "dev", "eth0");
                assertTrue(address.contains(node.ip() + "/24"), address);
            }
            assertTrue(linkExists(cluster.bridge()));
            assertTrue(shell.check("iptables", "-S", "FORWARD").contains(NetnsCluster.PREFIX + "-" + cluster.runId()));
            assertEquals(3, pids.size());
        } finally {
            cluster.close();
        }
        for (NetnsCluster.Node node : cluster.nodes()) {
            assertFalse(namespaces().contains(node.namespace()), node.namespace() + " removed");
        }
        assertFalse(linkExists(cluster.bridge()), "bridge removed");
        assertFalse(shell.check("iptables", "-S", "FORWARD").contains(NetnsCluster.PREFIX + "-" + cluster.runId()),
                "FORWARD rule removed");
        for (long pid : pids) {
            assertFalse(processExists(pid), "pid " + pid + " killed");
        }
    }

    @Test
    void pauseResumeAndKillActOnTheProcess() throws Exception {
        try (NetnsCluster cluster = NetnsCluster.create(shell, 1, NetnsCluster.newRunId())) {
            NetnsCluster.Node node = cluster.nodes().get(0);
            cluster.start(node, List.of("sleep", "300"), Map.of(), dir.resolve("n1.log"));
            long pid = cluster.pids(node).get(0);
            cluster.pause(node);
            assertEquals('T', pollState(pid, 'T'));
            cluster.resume(node);
            assertEquals('S', pollState(pid, 'S'));
            cluster.kill(node);
            assertFalse(cluster.alive(node));
            assertFalse(processExists(pid) && processState(pid) != 'Z', "killed");
        }
    }

    private static char pollState(long pid, char wanted) throws Exception {
        long deadlineNs = System.nanoTime() + 5_000_000_000L;
        char state = processState(pid);
        while (state != wanted && System.nanoTime() < deadlineNs) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            state = processState(pid);
        }
        return state;
    }

    /** Starts a listener on :8080 in every namespace (the fake server, a real JVM process). */
    private static void startListeners(NetnsCluster cluster, Path dir) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (NetnsCluster.Node node : cluster.nodes()) {
            cluster.start(node, List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    FakeIpamd.class.getName(), node.ip() + ":8080"), Map.of(), dir.resolve(node.id() + ".log"));
        }
    }

    private boolean connects(NetnsCluster.Node from, NetnsCluster.Node to) {
        return shell.inNamespace(from.namespace(), "timeout", "2", "bash", "-c", "echo > /dev/tcp/" + to.ip() + "/8080").ok();
    }

    private boolean awaitConnects(NetnsCluster.Node from, NetnsCluster.Node to) {
        long deadlineNs = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadlineNs) {
            if (connects(from, to)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void iptablesPartitionCutsAndHealRestores() {
        try (NetnsCluster cluster = NetnsCluster.create(shell, 3, NetnsCluster.newRunId())) {
            startListeners(cluster, dir);
            List<NetnsCluster.Node> n = cluster.nodes();
            assertTrue(awaitConnects(n.get(0), n.get(1)), "n1 reaches n2 over the bridge");
            assertTrue(awaitConnects(n.get(1), n.get(2)), "n2 reaches n3 over the bridge");
            assertTrue(awaitConnects(n.get(2), n.get(0)), "n3 reaches n1 over the bridge");

            cluster.partition(Map.of("n1", Set.of("n2", "n3"), "n2", Set.of("n1"), "n3", Set.of("n1")));
            assertEquals(2, cluster.rules(n.get(0)).size(), "n1 drops from n2 and n3: " + cluster.rules(n.get(0)));
            assertFalse(connects(n.get(0), n.get(1)), "n1 is cut from n2");
            assertFalse(connects(n.get(2), n.get(0)), "n3 is cut from n1");
            assertTrue(connects(n.get(1), n.get(2)), "n2 and n3 still talk");

            cluster.heal();
            assertTrue(cluster.rules(n.get(0)).isEmpty());
            assertTrue(connects(n.get(0), n.get(1)), "healed");
            assertTrue(connects(n.get(2), n.get(0)), "healed");
        }
    }

    @Test
    void cleanupRemovesWhatAKilledRunLeftBehindAndSparesLiveRuns() throws Exception {
        NetnsCluster killed = NetnsCluster.create(shell, 2, NetnsCluster.newRunId());
        String liveId = NetnsCluster.newRunId();
        while (liveId.equals(killed.runId())) {
            liveId = NetnsCluster.newRunId();
        }
        NetnsCluster live = NetnsCluster.create(shell, 1, liveId);
        try {
            killed.start(killed.nodes().get(0), List.of("sleep", "300"), Map.of(), dir.resolve("n1.log"));
            live.start(live.nodes().get(0), List.of("sleep", "300"), Map.of(), dir.resolve("live-n1.log"));
            long killedPid = killed.pids(killed.nodes().get(0)).get(0);
            long livePid = live.pids(live.nodes().get(0)).get(0);
            // As if the first harness had died with kill -9: its owner is a process that has exited.
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            Files.writeString(NetnsCluster.ownerFile(killed.runId()), gone.pid() + " 0\n");
            assertTrue(NetnsCluster.ownerAlive(live.runId()), "the live run's owner (this JVM) is recognised");

            int removed = NetnsCluster.cleanupStale(shell);
            assertTrue(removed >= 4, "2 namespaces, the bridge, the FORWARD rule at least: " + removed);
            assertFalse(namespaces().contains(NetnsCluster.PREFIX + "-" + killed.runId()));
            assertFalse(linkExists(killed.bridge()));
            assertFalse(shell.check("iptables", "-S", "FORWARD").contains(NetnsCluster.PREFIX + "-" + killed.runId()));
            assertFalse(processExists(killedPid) && !isZombie(killedPid), "the process in the namespace was killed");
            assertFalse(Files.exists(NetnsCluster.ownerFile(killed.runId())), "the dead owner's record is removed");

            assertTrue(namespaces().contains(live.nodes().get(0).namespace()), "a live harness's namespace stays");
            assertTrue(linkExists(live.bridge()), "a live harness's bridge stays");
            assertTrue(shell.check("iptables", "-S", "FORWARD").contains(NetnsCluster.PREFIX + "-" + live.runId()));
            assertTrue(processExists(livePid) && !isZombie(livePid), "a live harness's node keeps running");
        } finally {
            killed.close();
            live.close();
        }
        assertFalse(Files.exists(NetnsCluster.ownerFile(live.runId())), "close removes the owner record");
    }

    private static boolean isZombie(long pid) {
        try {
            return processState(pid) == 'Z';
        } catch (Exception gone) {
            return true;
        }
    }
}
