package dev.ipam.server.raft;

import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis' gRPC log appender, except for where it resends from after a follower refuses an append
 * because it holds another entry at the append's previous index.
 *
 * <p>Why: a leader cut off from the others keeps appending its clients' writes, which never commit.
 * When it rejoins as a follower, its log has that uncommitted tail where the new leader's log has
 * other entries. Ratis 3.3.0 answers each refusal by stepping back one entry (the follower replies
 * "previous index not found", the leader retries from there), one round trip per entry of the tail.
 * It also counts each refusal as an error and sleeps between tries by its retry policy, and once
 * that sleep is longer than the heartbeat interval every try is a heartbeat, which carries no
 * entries and can only step back one more. After a partition the error count is already past the
 * stage where each try waits 5 s, so a tail of 30 entries took minutes. CI's Jepsen partitions
 * scenario saw followers stuck so for two minutes (README, "Worked around").
 *
 * <p>What this does instead: on such a refusal, resend from just after the last entry known to match,
 * the follower's match index or commit index, whichever is higher (both name entries the follower
 * has as the leader has them), but not from before the start of the leader's log. A follower whose
 * commit index the leader does not know yet answers "already committed up to N", and the next append
 * starts at N + 1, whose previous entry is committed and so matches. Two or three round trips replace
 * one per entry. Only {@code nextIndex} changes: it is where the leader sends from, and no commit
 * decision reads it, so a lower value costs entries sent twice, never safety.
 */
public final class CatchUpAppender extends GrpcLogAppender {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpAppender.class);
    /** The {@link Parameters} key under which a node hands its rewind counter to the factory. */
    static final String REWINDS_KEY = "ipam.raft.follower-rewinds";

    private final LongAdder rewinds;

    CatchUpAppender(RaftServer.Division server, LeaderState leaderState, FollowerInfo follower, LongAdder rewinds) {
        super(server, leaderState, follower);
        this.rewinds = rewinds;
    }

    @Override
    protected long getNextIndexForInconsistency(long requestFirstIndex, long replyNextIndex) {
        long ratisNext = super.getNextIndexForInconsistency(requestFirstIndex, replyNextIndex);
        FollowerInfo follower = getFollower();
        long previous = previousIndex(requestFirstIndex, follower.getNextIndex());
        long next = nextIndex(previous, replyNextIndex, ratisNext, follower.getMatchIndex(), follower.getCommitIndex(),
                getRaftLog().getStartIndex());
        if (next != ratisNext) {
            rewinds.increment();
            LOG.info("{}: follower {} holds another entry at index {}; resending from {} (its match index {}, commit index {})"
                    + " instead of stepping back to {}", getServer().getMemberId(), follower.getId(), previous, next,
                    follower.getMatchIndex(), follower.getCommitIndex(), ratisNext);
        }
        return next;
    }

    /**
     * The previous index of the refused request: the one before its first entry, or for a heartbeat
     * (first index -1; also a late reply whose request was dropped) the one before the follower's
     * next index, since sending a heartbeat does not move it as sending entries does.
     *
     * @return that index, or -1 when the request began at index 0 and had none
     */
    static long previousIndex(long requestFirstIndex, long followerNextIndex) {
        if (requestFirstIndex < 0) {
            return followerNextIndex - 1;
        }
        return requestFirstIndex - 1;
    }

    /**
     * Where to resend from after an INCONSISTENCY reply.
     *
     * @param previous the refused request's previous index (-1: none or not known)
     * @param replyNextIndex the follower's answer: that previous index when it holds no entry of that
     *     term there (or its log ends just before it)
     * @param ratisNext what Ratis 3.3.0 would resend from
     * @param matchIndex the highest entry the follower acknowledged in this term (-1: none)
     * @param followerCommit the follower's commit index as the leader last heard it (-1: not yet)
     * @param logStart the first index in the leader's log
     * @return {@code ratisNext}, or a lower index just after an entry known to match
     */
    static long nextIndex(long previous, long replyNextIndex, long ratisNext, long matchIndex, long followerCommit,
            long logStart) {
        if (previous < 0 || replyNextIndex != previous) {
            return ratisNext;
        }
        long floor = Math.max(Math.max(matchIndex, followerCommit) + 1, logStart);
        return Math.min(floor, ratisNext);
    }

    /** Ratis' gRPC factory with this appender; everything else (servers, clients, TLS) is Ratis' own. */
    static final class Factory extends GrpcFactory {
        private final LongAdder rewinds;

        Factory(Parameters parameters) {
            super(parameters);
            LongAdder given = parameters.get(REWINDS_KEY, LongAdder.class);
            this.rewinds = given == null ? new LongAdder() : given;
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            return new CatchUpAppender(server, state, follower, rewinds);
        }
    }

    /**
     * The RPC type naming {@link Factory}. Ratis keeps the type in its properties by name and makes
     * a user-defined type from a class name with a public no-argument constructor.
     */
    public static final class Rpc implements RpcType {
        @Override
        public String name() {
            return Rpc.class.getName();
        }

        @Override
        public RpcFactory newFactory(Parameters parameters) {
            return new Factory(parameters);
        }
    }
}
