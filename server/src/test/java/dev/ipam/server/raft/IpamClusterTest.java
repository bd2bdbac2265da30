package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Harness;
import dev.ipam.core.Ipam;
import dev.ipam.core.Result;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.store.Export;
import dev.ipam.server.Replica;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three ipamd Raft nodes in one JVM running the real IPAM core: claims across a leader change. */
class IpamClusterTest {
    private static final long TIMEOUT_MS = 30_000;
    private static final String PROJECT = "p";
    private static final String POOL = "pool";

    @TempDir
    Path temp;
    private TestCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatal, "no replica may fail to apply");
        }
    }

    private static Result run(RaftNode node, String requestId, Command command) {
        Replica.Applied applied = node.replica().submit(requestId, Codec.encodeCommand(command))
                .orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join();
        return Codec.decodeResult(applied.result());
    }

    private static List<Result> claims(RaftNode node, String prefix, int count) {
        List<CompletableFuture<Replica.Applied>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Command claim = Harness.claim(PROJECT, prefix + i, IPFamily.IPv4, 28, POOL);
            futures.add(node.replica().submit("req-" + prefix + i, Codec.encodeCommand(claim)));
        }
        List<Result> results = new ArrayList<>();
        for (CompletableFuture<Replica.Applied> f : futures) {
            results.add(Codec.decodeResult(f.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().result()));
        }
        return results;
    }

    private static String cidr(Result result) {
        assertTrue(result.ok(), "claim failed: " + result.code() + " " + result.message());
        return ((IPClaim) result.object()).status().allocatedCIDR();
    }

    /** SHA-256 of the portable export of a node's whole state. */
    private static String exportDigest(RaftNode node) {
        return node.stateMachine().read((view, index) -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Export.write(view, out);
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void claimsAllocateOnceAcrossALeaderChangeAndReplicasMatch() {
        cluster = new TestCluster(temp, 3, Ipam::new, s -> s.withSnapshots(30, 64 * 1024, 1, 0));
        cluster.startAll();
        RaftNode leader = cluster.awaitLeader(TIMEOUT_MS);
        RaftNode follower = cluster.anyFollower();
        assertTrue(run(follower, "project", Harness.project(PROJECT)).ok());
        assertTrue(run(leader, "pool", Harness.pool(PROJECT, POOL, "10.0.0.0/16")).ok());
        Map<String, String> allocated = new TreeMap<>();
        List<Result> first = claims(follower, "a", 150);
        for (int i = 0; i < first.size(); i++) {
            allocated.put("a" + i, cidr(first.get(i)));
        }
        cluster.stop(leader.id());
        RaftNode next = cluster.awaitLeader(TIMEOUT_MS);
        List<Result> second = claims(next, "b", 150);
        for (int i = 0; i < second.size(); i++) {
            allocated.put("b" + i, cidr(second.get(i)));
        }
        // The same request id after the leader change: the first result, nothing allocated twice.
        Result retried = run(next, "req-a7", Harness.claim(PROJECT, "a7", IPFamily.IPv4, 28, POOL));
        assertEquals(allocated.get("a7"), cidr(retried));
        // The same claim under a new request id: the name exists.
        Result again = run(next, "req-a7-new", Harness.claim(PROJECT, "a7", IPFamily.IPv4, 28, POOL));
        assertEquals(409, again.code());
        Set<String> distinct = new HashSet<>(allocated.values());
        assertEquals(300, distinct.size(), "every claim its own /28");
        cluster.start(leader.id());
        RaftNode any = cluster.awaitLeader(TIMEOUT_MS);
        long index = any.stateMachine().appliedState().index();
        claims(cluster.node(leader.id()), "c", 10).forEach(IpamClusterTest::cidr);
        cluster.awaitConverged(index, TIMEOUT_MS);
        long converged = cluster.awaitLeader(TIMEOUT_MS).stateMachine().appliedState().index();
        cluster.awaitConverged(converged, TIMEOUT_MS);
        Set<String> digests = new HashSet<>();
        for (RaftNode node : cluster.running.values()) {
            digests.add(exportDigest(node));
        }
        assertEquals(1, digests.size(), "export digests differ at " + cluster.appliedIndexes());
    }
}
