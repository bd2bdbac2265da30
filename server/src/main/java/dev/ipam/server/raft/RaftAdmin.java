package dev.ipam.server.raft;

import dev.ipam.server.Admin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.DivisionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Admin} on Ratis: membership changes, leadership transfer and snapshots go through Ratis'
 * admin API (to the leader, from any node); status and readiness are this node's view.
 */
public final class RaftAdmin implements Admin, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftAdmin.class);
    /** Bounds on the retry loop of a membership change (besides its deadline). */
    private static final int MEMBERSHIP_ATTEMPTS_MAX = 100;
    private static final long RETRY_PAUSE_MS = 1_000;
    private static final long RETRY_POLL_MS = 50;
    private static final int MEMBERSHIP_CLIENT_RETRIES = 3;
    /** Ratis' refusal when the leader already has a log appender for a peer being added. */
    static final String STALE_SENDER = "Found duplicated element";
    private final RaftNode node;
    private final RaftSettings settings;
    private final ExecutorService executor;
    /** What this node knew of the commit index lately: the readiness target (see CommitSamples). */
    private final CommitSamples commitSamples = new CommitSamples();
    private final ScheduledExecutorService sampler;

    RaftAdmin(RaftNode node, RaftSettings settings) {
        this.node = node;
        this.settings = settings;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ipam-admin-" + settings.self().id());
            t.setDaemon(true);
            return t;
        });
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipam-commit-sampler-" + settings.self().id());
            t.setDaemon(true);
            return t;
        });
        // Fixed delay, not rate: after a pause the samples resume at their pace, not in a burst.
        sampler.scheduleWithFixedDelay(this::sample, 0, CommitSamples.PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private static long nowMs() {
        return System.nanoTime() / 1_000_000;
    }

    private void sample() {
        try {
            commitSamples.add(nowMs(), check(Long.MAX_VALUE).nextTarget());
        } catch (RuntimeException e) {
            // A node closing or not yet started; the readiness probe reports the gap if it lasts.
            LOG.debug("{}: commit sample failed: {}", settings.self().id(), e.toString());
        }
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

    /**
     * Adds {@code id}. Idempotent: a member with the same addresses answers success with the status;
     * the same id with other addresses is refused. The change is sent in Ratis' ADD mode, so the
     * LEADER builds the new peer list from its own configuration (this node's view may be stale or
     * transitional), and retried on leader changes and reconfigurations in progress until
     * {@link #membershipTimeoutMs()}. The outcome is read back from the configuration, not taken from
     * the reply alone: a call that failed or timed out may still have landed.
     */
    @Override
    public CompletableFuture<ClusterStatus> addPeer(String id, String raftAddress, String httpAddress) {
        Peer added = new Peer(id, raftAddress, httpAddress);
        return run(() -> {
            long deadline = System.nanoTime() + membershipTimeoutMs() * 1_000_000L;
            String lastError = "no attempt";
            boolean leaderMoved = false;
            int failuresOnLeader = 0;
            for (int attempt = 1; attempt <= MEMBERSHIP_ATTEMPTS_MAX; attempt++) {
                Peer existing = stableMember(id);
                if (existing != null) {
                    if (existing.equals(added)) {
                        return status();
                    }
                    throw new IllegalArgumentException("peer " + id + " is already a member as " + existing
                            + "; remove it first to change its addresses");
                }
                var arguments = SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(List.of(RaftNode.toRaftPeer(added)))
                        .setMode(SetConfigurationRequest.Mode.ADD)
                        .build();
                lastError = trySetConfiguration(arguments);
                if (lastError != null && !leaderMoved && (lastError.contains(STALE_SENDER) || (!retriable(lastError) && ++failuresOnLeader >= 2))) {
                    // Seen in the Jepsen runs: after a leader was removed, the new leader still ran a log
                    // appender to the removed id, so ADD of that id trips Ratis' assertUnique in
                    // LeaderStateImpl.SenderList.addAll ("Found duplicated element"), and the failed
                    // startSetConfiguration leaves its pending conf request behind: every later change
                    // on that leader fails (IllegalStateException in PendingRequests.addConfRequest).
                    // A new leader builds appenders and pending requests afresh: move leadership once.
                    leaderMoved = moveLeadershipAwayFrom(id);
                }
                if (awaitMembership(id, true, lastError == null ? deadline : Math.min(deadline, System.nanoTime() + RETRY_PAUSE_MS * 1_000_000L))) {
                    return status();
                }
                if (System.nanoTime() >= deadline) {
                    break;
                }
                LOG.info("add peer {} attempt {} not done yet: {}", id, attempt, lastError);
            }
            throw new CompletionException(new TimeoutException("add peer " + id + " did not complete within " + membershipTimeoutMs()
                    + " ms (it may still take effect; check the members with GET /admin/cluster): " + lastError));
        });
    }

    /**
     * Removes {@code id}. A non-member answers {@link NoSuchElementException}. Sent as COMPARE_AND_SET
     * against this node's stable view, so a stale view is refused by the leader and retried rather
     * than overwriting a newer configuration; the outcome is read back as for {@link #addPeer}.
     */
    @Override
    public CompletableFuture<ClusterStatus> removePeer(String id) {
        return run(() -> {
            long deadline = System.nanoTime() + membershipTimeoutMs() * 1_000_000L;
            String lastError = "no attempt";
            for (int attempt = 1; attempt <= MEMBERSHIP_ATTEMPTS_MAX; attempt++) {
                List<Peer> current = stableMembers(deadline);
                List<RaftPeer> remaining = new ArrayList<>();
                boolean found = false;
                for (Peer peer : current) {
                    if (peer.id().equals(id)) {
                        found = true;
                    } else {
                        remaining.add(RaftNode.toRaftPeer(peer));
                    }
                }
                if (!found) {
                    if (attempt == 1) {
                        throw new NoSuchElementException("peer " + id + " is not a member");
                    }
                    return status();
                }
                if (remaining.isEmpty()) {
                    throw new IllegalArgumentException("cannot remove the last member " + id);
                }
                var arguments = SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(remaining)
                        .setServersInCurrentConf(current.stream().map(RaftNode::toRaftPeer).toList())
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .build();
                lastError = trySetConfiguration(arguments);
                if (awaitMembership(id, false, lastError == null ? deadline : Math.min(deadline, System.nanoTime() + RETRY_PAUSE_MS * 1_000_000L))) {
                    return status();
                }
                if (System.nanoTime() >= deadline) {
                    break;
                }
                LOG.info("remove peer {} attempt {} not done yet: {}", id, attempt, lastError);
            }
            throw new CompletionException(new TimeoutException("remove peer " + id + " did not complete within " + membershipTimeoutMs()
                    + " ms (it may still take effect; check the members with GET /admin/cluster): " + lastError));
        });
    }

    @Override
    public long stuckFollowerHandOvers() {
        return node.stuckFollowerHandOvers();
    }

    @Override
    public long followerRewinds() {
        return node.followerRewinds();
    }

    /** Membership calls retry this long in all (leader changes, reconfigurations in progress, catch-up). */
    long membershipTimeoutMs() {
        // Within the HTTP request timeout (the same setting), so the API answers the true outcome.
        return Math.max(1_000L, settings.requestTimeoutMs() - 500L);
    }

    /** Errors a retry is expected to get past: a leader change or a change already in progress. */
    private static boolean retriable(String error) {
        return error.contains("NotLeaderException") || error.contains("LeaderNotReadyException")
                || error.contains("ReconfigurationInProgressException") || error.contains("LeaderSteppingDownException");
    }

    /** Transfers leadership to another member than {@code id} and the current leader; true if asked. */
    private boolean moveLeadershipAwayFrom(String id) {
        RaftPeerId leader = node.division().getInfo().getLeaderId();
        Peer target = node.members().stream()
                .filter(p -> !p.id().equals(id) && (leader == null || !p.id().equals(leader.toString())))
                .findFirst().orElse(null);
        if (target == null) {
            return false;
        }
        LOG.warn("add peer {}: leader {} holds a stale log appender for it; moving leadership to {}", id, leader, target.id());
        try {
            return node.transferLeadership(target.id(), settings.requestTimeoutMs() / 2, MEMBERSHIP_CLIENT_RETRIES).isSuccess();
        } catch (IOException | RuntimeException e) {
            LOG.warn("add peer {}: moving leadership to {} failed: {}", id, target.id(), e.toString());
            return true;
        }
    }

    /** One setConfiguration; null on success, else why not (the caller reads the outcome back). */
    private String trySetConfiguration(SetConfigurationRequest.Arguments arguments) {
        // A short-lived client with few retries, pointed at the leader this node knows: the shared
        // client's long retry policy kept one call on a stale leader for its whole budget.
        try (RaftClient client = node.newClient(MEMBERSHIP_CLIENT_RETRIES)) {
            RaftClientReply reply = client.admin().setConfiguration(arguments);
            if (reply.isSuccess()) {
                return null;
            }
            return describe(reply.getException());
        } catch (IOException | RuntimeException e) {
            return describe(e);
        }
    }

    /** An error with its causes (bounded): Ratis wraps the leader's reason in client-side exceptions. */
    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e));
        Throwable cause = e == null ? null : e.getCause();
        for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }

    /** This node's member list once its configuration is stable (not between old and new), or the latest seen at the deadline. */
    private List<Peer> stableMembers(long deadline) {
        while (!settled() && System.nanoTime() < deadline && pauseMs(RETRY_POLL_MS)) {
            // a reconfiguration is in progress: wait for its outcome
        }
        return node.members();
    }

    /** The member with this id in a stable configuration of this node, or null. */
    private Peer stableMember(String id) {
        if (!settled()) {
            return null;
        }
        return node.members().stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
    }

    /** Polls this node's configuration until it is stable and {@code id} is (or is not) in it, up to {@code deadline}. */
    private boolean awaitMembership(String id, boolean member, long deadline) {
        do {
            if (settled()
                    && node.members().stream().anyMatch(p -> p.id().equals(id)) == member) {
                return true;
            }
        } while (System.nanoTime() < deadline && pauseMs(RETRY_POLL_MS));
        return false;
    }

    /** This node's latest configuration is a single (not old+new) one and committed. */
    private boolean settled() {
        var conf = node.division().getRaftConf();
        return conf.getPreviousPeers().isEmpty()
                && conf.getLogEntryIndex() <= node.division().getRaftLog().getLastCommittedIndex();
    }

    private static boolean pauseMs(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
        CommitSamples.Target target = commitSamples.target(nowMs());
        Readiness readiness = check(target.index()).readiness();
        if (readiness.ready() && target.problem() != null) {
            return new Readiness(false, target.problem());
        }
        return readiness;
    }

    /** The readiness rule on this node's state now, against {@code target}. */
    private ReadinessCheck check(long target) {
        var division = node.division();
        DivisionInfo info = division.getInfo();
        long commit = division.getRaftLog().getLastCommittedIndex();
        RaftPeerId leader = info.getLeaderId();
        long leaderCommit = info.isLeader() ? commit : -1;
        if (leader != null && !info.isLeader()) {
            for (CommitInfoProto peer : division.getCommitInfos()) {
                if (peer.getServer().getId().equals(leader.toByteString())) {
                    leaderCommit = peer.getCommitIndex();
                }
            }
        }
        return readiness(info.isAlive() ? null : String.valueOf(info.getLifeCycleState()),
                leader == null ? null : leader.toString(), info.getCurrentTerm(), commitTerm(division, commit), commit,
                leaderCommit, info.getLastAppliedIndex(), target);
    }

    /** A readiness answer and the commit index this check learned (a later check's target). */
    record ReadinessCheck(Readiness readiness, long nextTarget) {
    }

    /**
     * The readiness rule, apart from Ratis: a leader is known, this node's commit index has reached
     * the current term, and it has applied up to the commit index it learned a moment ago
     * ({@code target}, sampled {@link CommitSamples#LAG_MS} earlier; the commit index moves under load,
     * so waiting for the current one could last forever). On a follower that commit index is the
     * leader's, as the leader last told it, when that is ahead of its own: a follower's own commit index
     * cannot pass the end of its log, so one that was stopped or cut off, and has yet to receive what it
     * missed, would otherwise count as caught up. Only a check that found a leader and a commit index of
     * the current term learns a target; any other learns none ({@link Long#MAX_VALUE}), and a check with
     * none waits for its own commit index.
     *
     * <p>The term condition matters after a restart: until the leader of the new term commits its first
     * entry and this node learns of it, the commit index this node knows is the one it recovered (its
     * snapshot's), not what the cluster had committed before it stopped. A node that had only that to
     * go on reported ready while it still had thousands of entries of its own log to apply (one node,
     * killed with {@code kill -9} under load: ready with 40,017 applied of 46,466), and so did one that
     * took the recovered index as its target before its election (ready with 126 applied of 153).
     *
     * @param notAlive    the life-cycle state when the Raft server is not running, else null
     * @param leaderId    the leader this node knows, or null
     * @param commitTerm  the term of the entry at the commit index, or -1 when unknown
     * <p>A follower that has not heard the leader's commit index since it started (Ratis records it only
     * from an append that fits its log, and knows the leader before that) cannot know what is committed:
     * after a restart in an unchanged term, its own commit index is the recovered one, of the current term.
     *
     * @param leaderCommit the leader's commit index: on the leader its own; on a follower as the leader
     *                     last told it, or -1 when it has not told it since this node started
     */
    static ReadinessCheck readiness(String notAlive, String leaderId, long currentTerm, long commitTerm, long commit,
                                    long leaderCommit, long applied, long target) {
        if (notAlive != null) {
            return new ReadinessCheck(new Readiness(false, "raft server is " + notAlive), Long.MAX_VALUE);
        }
        if (leaderId == null) {
            return new ReadinessCheck(new Readiness(false, "no leader known"), Long.MAX_VALUE);
        }
        if (commitTerm < currentTerm) {
            return new ReadinessCheck(new Readiness(false, "commit index " + commit + " is of term "
                    + (commitTerm < 0 ? "unknown" : Long.toString(commitTerm)) + ": waiting to learn a commit of term "
                    + currentTerm), Long.MAX_VALUE);
        }
        if (leaderCommit < 0) {
            return new ReadinessCheck(new Readiness(false, "no commit index heard from leader " + leaderId
                    + " since start"), Long.MAX_VALUE);
        }
        long learned = Math.max(commit, leaderCommit);
        long waitFor = Math.min(target, learned);
        Readiness readiness = applied >= waitFor
                ? new Readiness(true, "leader " + leaderId + ", applied " + applied)
                : new Readiness(false, "applied " + applied + " behind commit " + waitFor);
        return new ReadinessCheck(readiness, learned);
    }

    /** The term of the entry at {@code commit}: from the log, or from the latest snapshot when the log no longer has it; -1 if neither. */
    private static long commitTerm(org.apache.ratis.server.RaftServer.Division division, long commit) {
        org.apache.ratis.server.protocol.TermIndex entry = division.getRaftLog().getTermIndex(commit);
        if (entry != null) {
            return entry.getTerm();
        }
        org.apache.ratis.statemachine.SnapshotInfo snapshot = division.getStateMachine().getLatestSnapshot();
        if (snapshot != null && snapshot.getIndex() == commit) {
            return snapshot.getTerm();
        }
        return -1;
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
        sampler.shutdownNow();
        executor.shutdownNow();
    }
}
