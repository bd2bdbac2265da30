package dev.ipam.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster membership and operations, served on every node's HTTP admin endpoints
 * ({@code /admin/cluster...}, {@code /healthz}, {@code /readyz}). Ratis-backed in ipamd; a
 * single-member fake in single-process tests.
 */
public interface Admin {
    /** The group as this node sees it. */
    ClusterStatus status();

    /** Adds a new, empty node to the group; it installs a snapshot and catches up. */
    CompletableFuture<ClusterStatus> addPeer(String id, String raftAddress, String httpAddress);

    /** Removes a node from the group. */
    CompletableFuture<ClusterStatus> removePeer(String id);

    /** Moves leadership to the given node. */
    CompletableFuture<ClusterStatus> transferLeader(String id);

    /** Takes a snapshot now; completes with its log index. */
    CompletableFuture<Long> snapshot();

    /** Alive: the process is up and its storage works. */
    boolean healthy();

    /** Ready: a leader is known and this node has applied up to the commit index it last learned. */
    Readiness readiness();

    /**
     * How many times this node, as leader, handed leadership on because a follower answered but did
     * not advance (see ipamd's follower watch). Zero where there is no such watch.
     */
    default long stuckFollowerHandOvers() {
        return 0;
    }

    /**
     * How many times this node, as leader, resent entries to a follower from the last entry known to
     * match, because the follower held another leader's uncommitted entries. Zero where there is no
     * Raft group.
     */
    default long followerRewinds() {
        return 0;
    }

    record ClusterStatus(String groupId, String self, String leaderId, long term, long commitIndex,
                         long appliedIndex, List<Member> members) {
    }

    /** role is one of LEADER, FOLLOWER, CANDIDATE, LISTENER, UNKNOWN (as seen from this node). */
    record Member(String id, String raftAddress, String httpAddress, String role, long matchIndex,
                  long lastContactMs) {
    }

    record Readiness(boolean ready, String reason) {
    }
}
