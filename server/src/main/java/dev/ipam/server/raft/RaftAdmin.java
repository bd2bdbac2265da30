package dev.ipam.server.raft;

import dev.ipam.server.Admin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;

/**
 * {@link Admin} on Ratis: membership changes, leadership transfer and snapshots go through Ratis'
 * admin API (to the leader, from any node); status and readiness are this node's view.
 */
public final class RaftAdmin implements Admin, AutoCloseable {
    private final RaftNode node;
    private final RaftSettings settings;
    private final ExecutorService executor;
    /** The commit index seen at the previous readiness check: the catch-up target. */
    private volatile long readinessTarget = Long.MAX_VALUE;

    RaftAdmin(RaftNode node, RaftSettings settings) {
        this.node = node;
        this.settings = settings;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ipam-admin-" + settings.self().id());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public ClusterStatus status() {
        var division = node.division();
        DivisionInfo info = division.getInfo();
        RaftPeerId leader = info.getLeaderId();
        Map<String, Long> commits = new HashMap<>();
        for (CommitInfoProto commit : division.getCommitInfos()) {
            commits.put(commit.getServer().getId().toStringUtf8(), commit.getCommitIndex());
        }
        Map<String, Long> lastContact = new HashMap<>();
        RoleInfoProto role = info.getRoleInfoProto();
        if (role.hasLeaderInfo()) {
            for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                lastContact.put(follower.getId().getId().toStringUtf8(), follower.getLastRpcElapsedTimeMs());
            }
        }
        List<Member> members = new ArrayList<>();
        for (Peer peer : node.members()) {
            String memberRole;
            if (peer.id().equals(node.id())) {
                memberRole = info.getCurrentRole().name();
            } else if (leader != null && peer.id().equals(leader.toString())) {
                memberRole = "LEADER";
            } else if (leader != null) {
                memberRole = "FOLLOWER";
            } else {
                memberRole = "UNKNOWN";
            }
            long match = peer.id().equals(node.id()) ? division.getRaftLog().getLastCommittedIndex()
                    : commits.getOrDefault(peer.id(), -1L);
            members.add(new Member(peer.id(), peer.raftAddress(), peer.httpAddress(), memberRole, match,
                    peer.id().equals(node.id()) ? 0 : lastContact.getOrDefault(peer.id(), -1L)));
        }
        return new ClusterStatus(settings.groupName(), node.id(), leader == null ? null : leader.toString(),
                info.getCurrentTerm(), division.getRaftLog().getLastCommittedIndex(), info.getLastAppliedIndex(), members);
    }

    @Override
    public CompletableFuture<ClusterStatus> addPeer(String id, String raftAddress, String httpAddress) {
        Peer added = new Peer(id, raftAddress, httpAddress);
        return run(() -> {
            List<RaftPeer> peers = new ArrayList<>();
            for (Peer peer : node.members()) {
                if (peer.id().equals(id)) {
                    throw new IllegalArgumentException("peer " + id + " is already a member");
                }
                peers.add(RaftNode.toRaftPeer(peer));
            }
            peers.add(RaftNode.toRaftPeer(added));
            check(node.client().admin().setConfiguration(peers), "add peer " + id);
            return status();
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> removePeer(String id) {
        return run(() -> {
            List<RaftPeer> peers = new ArrayList<>();
            boolean found = false;
            for (Peer peer : node.members()) {
                if (peer.id().equals(id)) {
                    found = true;
                } else {
                    peers.add(RaftNode.toRaftPeer(peer));
                }
            }
            if (!found) {
                throw new IllegalArgumentException("peer " + id + " is not a member");
            }
            if (peers.isEmpty()) {
                throw new IllegalArgumentException("cannot remove the last member " + id);
            }
            check(node.client().admin().setConfiguration(peers), "remove peer " + id);
            return status();
        });
    }

    @Override
    public CompletableFuture<ClusterStatus> transferLeader(String id) {
        return run(() -> {
            if (node.members().stream().noneMatch(p -> p.id().equals(id))) {
                throw new IllegalArgumentException("peer " + id + " is not a member");
            }
            check(node.client().admin().transferLeadership(RaftPeerId.valueOf(id), settings.requestTimeoutMs()),
                    "transfer leadership to " + id);
            return status();
        });
    }

    @Override
    public CompletableFuture<Long> snapshot() {
        return run(() -> {
            RaftClientReply reply = node.client().getSnapshotManagementApi(node.selfId()).create(settings.requestTimeoutMs());
            check(reply, "snapshot");
            return reply.getLogIndex();
        });
    }

    @Override
    public boolean healthy() {
        var division = node.division();
        return division.getInfo().isAlive() && division.getRaftStorage().getStorageDir().isHealthy();
    }

    @Override
    public Readiness readiness() {
        var division = node.division();
        DivisionInfo info = division.getInfo();
        if (!info.isAlive()) {
            return new Readiness(false, "raft server is " + info.getLifeCycleState());
        }
        if (info.getLeaderId() == null) {
            return new Readiness(false, "no leader known");
        }
        long commit = division.getRaftLog().getLastCommittedIndex();
        long applied = info.getLastAppliedIndex();
        long target = Math.min(readinessTarget, commit);
        readinessTarget = commit;
        if (applied >= target) {
            return new Readiness(true, "leader " + info.getLeaderId() + ", applied " + applied);
        }
        return new Readiness(false, "applied " + applied + " behind commit " + target);
    }

    private static void check(RaftClientReply reply, String what) {
        if (!reply.isSuccess()) {
            throw new IllegalStateException(what + " failed: " + reply.getException());
        }
    }

    private interface Action<T> {
        T run() throws IOException;
    }

    private <T> CompletableFuture<T> run(Action<T> action) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }, executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
