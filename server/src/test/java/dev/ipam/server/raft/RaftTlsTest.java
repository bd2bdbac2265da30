package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.ratis.CounterCore;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between Raft peers: a 3-node cluster whose certificates come from ops/dev-ca.sh; a node
 * and a client holding a certificate from another CA can neither join, vote, write nor read, while
 * the cluster keeps working; a rotated certificate is picked up without a restart.
 */
class RaftTlsTest {
    private static final long TIMEOUT_MS = 30_000;
    @TempDir
    Path temp;
    private TestCluster cluster;
    private Path good;
    private Path evil;
    private final List<AutoCloseable> closeMe = new ArrayList<>();

    static Path devCa() {
        Path script = Path.of("..", "ops", "dev-ca.sh");
        return Files.isExecutable(script) ? script : Path.of("ops", "dev-ca.sh");
    }

    static void makeCertificates(Path dir, String... names) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", devCa().toString(), dir.toString()));
        command.addAll(List.of(names));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.getParent().resolve("dev-ca.log").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "dev-ca.sh did not finish in 60 s");
        assertEquals(0, process.exitValue(), Files.readString(dir.getParent().resolve("dev-ca.log")));
    }

    static RaftTls tls(Path dir, String name) {
        return RaftTls.load(dir.resolve(name + ".key"), dir.resolve(name + ".crt"), dir.resolve("ca.crt"), 50);
    }

    @BeforeEach
    void certificates() throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("openssl", "version").start().waitFor() == 0, "openssl is missing");
        good = temp.resolve("good");
        evil = temp.resolve("evil");
        makeCertificates(good, "n1", "n2", "n3");
        makeCertificates(evil, "n4", "n5", "intruder");
        cluster = new TestCluster(temp.resolve("nodes"), 3, CounterCore::new, s -> s);
        cluster.tls = id -> id.equals("n4") || id.equals("n5") ? tls(evil, id) : tls(good, id);
        cluster.startAll();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeMe) {
            c.close();
        }
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatal);
        }
    }

    private static long add(RaftNode node, String id, long delta) {
        return node.replica().submit(id, CounterCore.add("c", delta)).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().index();
    }

    private static long counter(RaftNode node) {
        return node.replica().read(true, s -> CounterCore.value(s.view(), "c")).orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
    }

    @Test
    void aPeerWithAForeignCertificateCannotJoinVoteOrWrite() throws Exception {
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        add(leader, "before", 1);
        long term = leader.division().getInfo().getCurrentTerm();

        // A node with a certificate from another CA asks to be added: the leader cannot reach it.
        Peer n4 = TestCluster.newPeer("n4");
        RaftNode intruder = cluster.startJoining(n4);
        var joined = leader.admin().addPeer("n4", n4.raftAddress(), n4.httpAddress());
        assertThrows(Exception.class, () -> joined.get(15, TimeUnit.SECONDS), "a foreign node joined");
        assertTrue(intruder.division().getInfo().getLastAppliedIndex() <= 0, "the intruder read the log");

        // A node with a foreign certificate that lists itself among the members campaigns in vain.
        Peer n5 = TestCluster.newPeer("n5");
        List<Peer> withN5 = new ArrayList<>(cluster.peers.values());
        withN5.remove(n4);
        withN5.add(n5);
        RaftSettings rogue = RaftSettings.defaults(n5, withN5, temp.resolve("n5"));
        RaftNode voter = RaftNode.start(rogue, new CounterCore(), (m, c) -> { }, tls(evil, "n5"));
        closeMe.add(voter);
        // (Pre-vote keeps its term: wait until it stands as a candidate, i.e. asks the members for votes.
        // Each failed campaign drops it back to follower within milliseconds and the next comes an
        // election timeout later, so look every millisecond: at 20 ms a CI run missed them all for 30 s.)
        org.awaitility.Awaitility.await("the rogue node campaigns").atMost(java.time.Duration.ofMillis(TIMEOUT_MS))
                .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(1))
                .until(() -> voter.division().getInfo().getCurrentRole()
                        == org.apache.ratis.proto.RaftProtos.RaftPeerRole.CANDIDATE);
        assertTrue(!voter.division().getInfo().isLeader(), "the rogue node was elected");
        assertTrue(voter.division().getInfo().getLastAppliedIndex() <= 0, "the rogue node read the log");

        // A client with a foreign certificate can neither write nor read.
        List<RaftPeer> peers = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            peers.add(RaftNode.toRaftPeer(cluster.peers.get(id)));
        }
        RaftProperties properties = new RaftProperties();
        var parameters = tls(evil, "intruder").parameters();
        try (RaftClient client = RaftClient.newBuilder().setClientId(ClientId.randomId())
                .setRaftGroup(RaftGroup.valueOf(RaftNode.groupId(cluster.settings(cluster.peers.get("n1"), false).groupName()), peers)).setProperties(properties)
                .setClientRpc(new GrpcFactory(parameters).newRaftClientRpc(ClientId.randomId(), properties))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build()) {
            Message write = Message.valueOf(ByteString.copyFrom(CounterCore.add("c", 1000)));
            assertThrows(IOException.class, () -> client.io().send(write));
            assertThrows(IOException.class, () -> client.io().sendReadOnly(write));
        }

        // The cluster kept its leader, its term and its members, and still commits.
        RaftNode after = cluster.awaitLeader(TIMEOUT_MS);
        assertEquals(leader.id(), after.id(), "leadership moved");
        assertEquals(term, after.division().getInfo().getCurrentTerm(), "the rogue node's campaign reached the members");
        add(after, "after", 1);
        assertEquals(2, counter(after));
        assertEquals(3, after.members().size(), after.members().toString());
    }

    @Test
    void aRotatedCertificateIsUsedWithoutRestartingTheNode() throws Exception {
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        add(leader, "one", 1);
        RaftTls n1 = tls(good, "n1");
        BigInteger before = n1.certificate().getSerialNumber();
        makeCertificates(good, "n1", "n2", "n3"); // new keys and serials, renamed over the old files
        TestCluster.awaitTrue(() -> !n1.certificate().getSerialNumber().equals(before), TIMEOUT_MS,
                () -> "the rotated certificate was never loaded");
        assertNotEquals(before, n1.certificate().getSerialNumber());
        // New connections handshake with the new material: restart one follower, it must catch up.
        RaftNode follower = cluster.anyFollower();
        String id = follower.id();
        cluster.stop(id);
        add(cluster.awaitLeader(TIMEOUT_MS), "two", 1);
        RaftNode restarted = cluster.start(id);
        TestCluster.awaitTrue(() -> restarted.division().getInfo().getLastAppliedIndex()
                >= cluster.awaitLeader(TIMEOUT_MS).division().getInfo().getLastAppliedIndex(), TIMEOUT_MS,
                () -> "the restarted follower did not catch up over TLS after rotation");
        assertEquals(2, counter(restarted));
    }
}
