package dev.ipam.server.raft;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Core;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.Space;
import dev.ipam.ratis.IpamStateMachine;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** N ipamd Raft nodes in one JVM on 127.0.0.1 with real gRPC, each on its own data directory. */
final class TestCluster implements AutoCloseable {
    final Path root;
    final Supplier<Core> cores;
    final UnaryOperator<RaftSettings> tune;
    final Map<String, Peer> peers = new LinkedHashMap<>();
    final Map<String, RaftNode> running = new LinkedHashMap<>();
    /** Fatal apply failures recorded instead of halting the test JVM; a test asserts it stays empty. */
    final List<String> fatal = new CopyOnWriteArrayList<>();

    TestCluster(Path root, int size, Supplier<Core> cores, UnaryOperator<RaftSettings> tune) {
        this.root = root;
        this.cores = cores;
        this.tune = tune;
        for (int i = 1; i <= size; i++) {
            peers.put("n" + i, newPeer("n" + i));
        }
    }

    static Peer newPeer(String id) {
        return new Peer(id, "127.0.0.1:" + TestPorts.free(), "127.0.0.1:" + TestPorts.free());
    }

    RaftSettings settings(Peer self, boolean join) {
        RaftSettings base = RaftSettings.defaults(self, List.copyOf(peers.values()), root.resolve(self.id()));
        return tune.apply(join ? base.withJoin(true) : base);
    }

    void startAll() {
        for (Peer peer : List.copyOf(peers.values())) {
            start(peer.id());
        }
    }

    /** Mutual TLS material per node id (null: plain gRPC). */
    java.util.function.Function<String, RaftTls> tls = id -> null;

    RaftNode start(String id) {
        RaftNode node = RaftNode.start(settings(peers.get(id), false), cores.get(), halt(id), tls.apply(id));
        running.put(id, node);
        return node;
    }

    /** Starts a brand-new node with an empty group; it serves once a member adds it. */
    RaftNode startJoining(Peer peer) {
        peers.put(peer.id(), peer);
        RaftNode node = RaftNode.start(settings(peer, true), cores.get(), halt(peer.id()), tls.apply(peer.id()));
        running.put(peer.id(), node);
        return node;
    }

    private IpamStateMachine.Halt halt(String id) {
        return (message, cause) -> fatal.add(id + ": " + message + ": " + cause);
    }

    void stop(String id) {
        RaftNode node = running.remove(id);
        if (node != null) {
            node.close();
        }
    }

    RaftNode node(String id) {
        return running.get(id);
    }

    /** The leader as the running nodes agree on it, waiting up to {@code timeoutMs}. */
    RaftNode awaitLeader(long timeoutMs) {
        AtomicReference<RaftNode> leader = new AtomicReference<>();
        awaitTrue(() -> {
            leader.set(running.values().stream()
                    .filter(node -> node.division().getInfo().isLeader() && node.division().getInfo().isLeaderReady())
                    .findFirst().orElse(null));
            return leader.get() != null;
        }, timeoutMs, () -> "no leader within " + timeoutMs + " ms among " + running.keySet());
        return leader.get();
    }

    RaftNode anyFollower() {
        RaftNode leader = awaitLeader(20_000);
        return running.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
    }

    /** Waits until every running node has applied the same index, at least {@code index}. */
    void awaitConverged(long index, long timeoutMs) {
        awaitTrue(() -> {
            long first = -1;
            for (RaftNode node : running.values()) {
                long applied = node.stateMachine().appliedState().index();
                if (applied < index || (first >= 0 && applied != first)) {
                    return false;
                }
                first = applied;
            }
            return true;
        }, timeoutMs, () -> "replicas did not converge at >= " + index + ": " + appliedIndexes());
    }

    Map<String, Long> appliedIndexes() {
        Map<String, Long> indexes = new LinkedHashMap<>();
        running.forEach((id, node) -> indexes.put(id, node.stateMachine().appliedState().index()));
        return indexes;
    }

    /** SHA-256 over every Space of a node's state: equal digests mean byte-identical state. */
    static String digest(RaftNode node) {
        return node.stateMachine().read((view, index) -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (Space space : Space.values()) {
                    try (Cursor cursor = view.scan(space, null, null)) {
                        for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                            sha.update(ByteBuffer.allocate(12).putInt(space.id).putInt(e.key().length).putInt(e.value().length).array());
                            sha.update(e.key());
                            sha.update(e.value());
                        }
                    }
                }
                return HexFormat.of().formatHex(sha.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    Map<String, String> digests() {
        Map<String, String> digests = new LinkedHashMap<>();
        running.forEach((id, node) -> digests.put(id, digest(node)));
        return digests;
    }

    /** Polls {@code condition} every 20 ms until it holds; after {@code timeoutMs} fails with {@code failure}. */
    static void awaitTrue(BooleanSupplier condition, long timeoutMs, Supplier<String> failure) {
        await().atMost(Duration.ofMillis(timeoutMs)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertTrue(condition.getAsBoolean(), failure));
    }

    @Override
    public void close() {
        for (String id : new ArrayList<>(running.keySet())) {
            stop(id);
        }
    }
}
