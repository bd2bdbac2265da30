package dev.ipam.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Admin} of a one-process deployment over a {@link DirectReplica}: one member that is
 * always the leader and always ready. Membership changes are refused (there is no group to change);
 * a snapshot reports the applied index.
 */
public final class SingleNodeAdmin implements Admin {
    private final String self;
    private final String httpAddress;
    private final DirectReplica replica;

    public SingleNodeAdmin(String self, String httpAddress, DirectReplica replica) {
        this.self = self;
        this.httpAddress = httpAddress;
        this.replica = replica;
    }

    @Override
    public ClusterStatus status() {
        long applied = replica.appliedIndex();
        return new ClusterStatus("single", self, self, 1, applied, applied,
                List.of(new Member(self, "", httpAddress, "LEADER", applied, 0)));
    }

    @Override
    public CompletableFuture<ClusterStatus> addPeer(String id, String raftAddress, String httpAddress) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "a single-node deployment has no Raft group to add " + id + " to; run ipamd for a cluster"));
    }

    @Override
    public CompletableFuture<ClusterStatus> removePeer(String id) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
                "a single-node deployment has no Raft group to remove " + id + " from"));
    }

    @Override
    public CompletableFuture<ClusterStatus> transferLeader(String id) {
        if (id.equals(self)) {
            return CompletableFuture.completedFuture(status());
        }
        return CompletableFuture.failedFuture(new IllegalArgumentException("no member " + id + "; the only member is "
                + self));
    }

    @Override
    public CompletableFuture<Long> snapshot() {
        return CompletableFuture.completedFuture(replica.appliedIndex());
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public Readiness readiness() {
        return new Readiness(true, "");
    }
}
