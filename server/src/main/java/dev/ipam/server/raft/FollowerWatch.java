package dev.ipam.server.raft;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.server.DivisionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the leader: finds a follower that answers every append but whose commit index stands still
 * while the leader's moves on, and hands leadership to another member, because the new leader's
 * appender starts from a clean slate.
 *
 * <p>Why: in the Jepsen partitions scenario, a node that had been leader kept an uncommitted tail
 * from its term. After the partition healed, the new leader and that follower traded INCONSISTENCY
 * replies (next index 446, then 447, then 446 again) for the whole minute the harness waited. The
 * follower was reachable and up, but it never caught up, and its local reads stayed stale. We read
 * it then as a match index the follower's log did not have (RATIS-2605, fixed after 3.3.0). A
 * leader change rebuilds the bookkeeping of every follower.
 *
 * <p>{@link CatchUpAppender} later found the cause of the stalls CI kept seeing: Ratis 3.3.0 steps
 * back one entry per refused append, at most one try a second (or five) once errors have piled up,
 * and a late reply to an earlier request can move the next index up again (446, 447, 446). In
 * 3.3.0 a heartbeat's success carries no match index, so the reading above was likely wrong. The
 * appender now resends from the last entry known to match; this watch stays as the backstop for
 * stalls of another cause.
 *
 * <p>Not stuck: a follower out of contact (paused, partitioned: Raft handles it), one whose commit
 * index moves, however slowly, and one behind the start of the leader's log (it needs a snapshot,
 * which takes as long as it takes).
 */
final class FollowerWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerWatch.class);
    /** How often the leader looks. */
    static final long PERIOD_MS = 1_000;
    /** Standing still this long, in contact and behind, makes a follower stuck. */
    static final long STUCK_MS = 20_000;
    /**
     * A follower that answered within this long is in contact; a longer silence starts its window
     * again. Not the election timeout: a follower trading INCONSISTENCY replies is answered at the
     * appender's error pace. In the Jepsen five-nodes scenario (2026-11-22) that was one reply every
     * 2-3 s, so a 1 s bound restarted the window at most looks and never handed over. In the
     * partitions scenario (CI, 2026-11-24) it was one every 5.8-10.4 s, under Ratis' retry policy,
     * which then slept 5 s per error; the bound became 12 s. ipamd's policy sleeps at most 1 s
     * (0.5-1.5 s: {@link RaftNode#APPENDER_RETRY_POLICY}), so an answering follower hears from the
     * leader every 2-3 s at most, and 5 s is the bound again. At 12 s a follower cut off twice in a
     * row, 7 s each with a few seconds between (CI, 2026-11-25), stayed "in contact" through both,
     * and the leader handed over 3 s after the second healed, when its own appender was about to
     * catch it up; the new leader's connection to it then took 20 s to come back. A follower down or
     * cut off stays silent and leaves contact after this long. A pause shorter than this keeps the
     * window running, so a resumed follower has at least {@code STUCK_MS - CONTACT_MAX_MS} to advance
     * before it counts as stuck.
     */
    static final long CONTACT_MAX_MS = 5_000;
    /** The least time between two leadership hand-overs by this node. */
    static final long COOLDOWN_MS = 60_000;
    private static final int TRANSFER_CLIENT_RETRIES = 3;

    /** What the leader knows of one follower at one look. */
    record Sample(String id, long commitIndex, long lastContactMs) {
    }

    private final RaftNode node;
    private final RaftSettings settings;
    private final Tracker tracker;
    private final ScheduledExecutorService scheduler;
    private long lastTransferMs = Long.MIN_VALUE / 2;
    private final java.util.concurrent.atomic.AtomicLong handOvers = new java.util.concurrent.atomic.AtomicLong();

    FollowerWatch(RaftNode node, RaftSettings settings) {
        this.node = node;
        this.settings = settings;
        this.tracker = new Tracker(STUCK_MS, CONTACT_MAX_MS);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipam-follower-watch-" + settings.self().id());
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::look, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private void look() {
        try {
            var division = node.division();
            DivisionInfo info = division.getInfo();
            RoleInfoProto role = info.getRoleInfoProto();
            if (!info.isLeader() || !role.hasLeaderInfo()) {
                tracker.reset();
                return;
            }
            Map<String, Long> commits = new HashMap<>();
            for (CommitInfoProto commit : division.getCommitInfos()) {
                commits.put(commit.getServer().getId().toStringUtf8(), commit.getCommitIndex());
            }
            List<Sample> samples = new ArrayList<>();
            for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                String id = follower.getId().getId().toStringUtf8();
                samples.add(new Sample(id, commits.getOrDefault(id, -1L), follower.getLastRpcElapsedTimeMs()));
            }
            long now = System.nanoTime() / 1_000_000;
            List<String> stuck = tracker.stuck(now, info.getCurrentTerm(), division.getRaftLog().getLastCommittedIndex(),
                    division.getRaftLog().getStartIndex(), samples);
            if (!stuck.isEmpty() && now - lastTransferMs >= COOLDOWN_MS) {
                lastTransferMs = now;
                handOver(stuck, samples, division.getRaftLog().getLastCommittedIndex());
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: follower watch failed: {}", settings.self().id(), e.toString());
        }
    }

    private void handOver(List<String> stuck, List<Sample> samples, long leaderCommit) {
        Optional<Sample> target = samples.stream()
                .filter(s -> !stuck.contains(s.id()) && s.lastContactMs() >= 0
                        && s.lastContactMs() < settings.electionTimeoutMinMs())
                .max(Comparator.comparingLong(Sample::commitIndex));
        if (target.isEmpty()) {
            LOG.warn("{}: followers {} answer but have not advanced for {} ms (leader commit {}, theirs {}); no other"
                    + " member in contact to hand leadership to", settings.self().id(), stuck, STUCK_MS, leaderCommit, samples);
            return;
        }
        handOvers.incrementAndGet();
        LOG.warn("{}: followers {} answer but have not advanced for {} ms (leader commit {}, followers {}): handing"
                + " leadership to {} so that a fresh appender catches them up", settings.self().id(), stuck, STUCK_MS,
                leaderCommit, samples, target.get().id());
        try {
            RaftClientReply reply = node.transferLeadership(target.get().id(), settings.requestTimeoutMs() / 2,
                    TRANSFER_CLIENT_RETRIES);
            if (!reply.isSuccess()) {
                LOG.warn("{}: handing leadership to {} failed: {}", settings.self().id(), target.get().id(),
                        reply.getException());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: handing leadership to {} failed: {}", settings.self().id(), target.get().id(), e.toString());
        }
    }

    /** Hand-overs this node asked for (whether or not Ratis completed them). */
    long handOvers() {
        return handOvers.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** The decision, apart from Ratis and the clock: which followers have stood still too long. */
    static final class Tracker {
        private final long stuckMs;
        private final long contactMaxMs;
        /** Where a follower's commit index stands and since when. */
        private record Standing(long commitIndex, long sinceMs) {
        }

        private final Map<String, Standing> standing = new HashMap<>();
        private long term = -1;

        Tracker(long stuckMs, long contactMaxMs) {
            this.stuckMs = stuckMs;
            this.contactMaxMs = contactMaxMs;
        }

        void reset() {
            standing.clear();
            term = -1;
        }

        /** The followers stuck at this look, in id order. */
        List<String> stuck(long nowMs, long currentTerm, long leaderCommit, long logStart, List<Sample> samples) {
            if (currentTerm != term) {
                reset();
                term = currentTerm;
            }
            List<String> out = new ArrayList<>();
            for (Sample s : samples) {
                boolean inContact = s.lastContactMs() >= 0 && s.lastContactMs() < contactMaxMs;
                // -1: the follower has not acknowledged an append in this term (Ratis 3.3.0 learns a
                // follower's commit index from SUCCESS replies only). A follower that trades
                // INCONSISTENCY replies from the start of the term stays there, and is behind.
                boolean behind = s.commitIndex() < leaderCommit;
                // With -1, only a log that was never purged (start 0) surely needs no snapshot.
                boolean logCanCatchUp = s.commitIndex() + 1 >= logStart;
                if (!inContact || !behind || !logCanCatchUp) {
                    standing.remove(s.id());
                    continue;
                }
                Standing at = standing.get(s.id());
                if (at == null || at.commitIndex() != s.commitIndex()) {
                    standing.put(s.id(), new Standing(s.commitIndex(), nowMs));
                } else if (nowMs - at.sinceMs() >= stuckMs) {
                    out.add(s.id());
                }
            }
            standing.keySet().retainAll(samples.stream().map(Sample::id).toList());
            out.sort(Comparator.naturalOrder());
            return out;
        }
    }
}
