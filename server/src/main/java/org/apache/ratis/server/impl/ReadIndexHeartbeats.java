package org.apache.ratis.server.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.leader.LogAppender;

/**
 * ipamd's replacement for Apache Ratis 3.3.0's class of this name: how a leader confirms, for a
 * linearizable read (ReadIndex), that it is still the leader. It has the same package and the same
 * members, which Ratis' {@code LeaderStateImpl} calls; ipamd's classes come before the Ratis jars on
 * the class path, and {@code dev.ipam.server.raft.RaftNode} refuses to start when this class is not
 * the one loaded.
 *
 * <p>Why: Ratis' version answers a read at once, without asking any follower, when its commit index
 * is not above one a majority has confirmed before. A leader cut off from its followers keeps its
 * commit index where it was, so every read it got before stepping down was answered from a state
 * the new leader may have moved past. The Jepsen partitions scenario saw a claim released through
 * the new leader and then read back, still allocated, from the old one ({@code RaftClusterTest}
 * shows it deterministically). The same shortcut served followers that asked that old leader.
 *
 * <p>The rule here: a read is confirmed only by successful replies, from followers that with this
 * leader make a majority, to appendEntries requests (heartbeats or not) that the leader created
 * after the read arrived.
 *
 * <p>Reads go in rounds, at most one in flight. A round starts by recording, per follower, the call
 * id of the next request, and asks each follower's appender for a heartbeat (which carries that id or
 * a later one); replies to earlier requests do not count. Reads that arrive while a round is in
 * flight gather in the next round, which starts when no round is left in flight. Every read in a
 * round arrived before it started, so the replies that confirm it are to requests created after the
 * read arrived. Under write traffic the appendEntries that carry entries confirm rounds too; reads
 * alone cost one heartbeat per follower per round trip, however many there are.
 */
class ReadIndexHeartbeats {
    /** Checked by ipamd at start-up: this class, not Ratis' own, is in use. */
    static final String REPLACEMENT = "ipamd: reads confirmed by replies to requests created after they arrived";

    /** One follower's part in a round: the first call id that counts, and whether it came back. */
    private static final class Ack {
        final LogAppender appender;
        final long minCallId;
        boolean acknowledged;

        Ack(LogAppender appender) {
            this.appender = appender;
            this.minCallId = appender.getCallId();
        }
    }

    /** A round: the reads confirmed together; Ratis waits on {@link #getFuture}. Guarded by the owner. */
    static class AppendEntriesListener {
        /** The highest commit index of the round's reads when they arrived: the read index they get. */
        private long commitIndex;
        private final Iterable<LogAppender> appenders;
        private final CompletableFuture<Long> future = new CompletableFuture<>();
        /** Null until the round starts. */
        private Map<RaftPeerId, Ack> acks;

        AppendEntriesListener(long commitIndex, Iterable<LogAppender> appenders) {
            this.commitIndex = commitIndex;
            this.appenders = appenders;
        }

        CompletableFuture<Long> getFuture() {
            return future;
        }

        private void start() {
            acks = new HashMap<>();
            for (LogAppender appender : appenders) {
                // The call id first: the heartbeat triggered next then counts.
                acks.put(appender.getFollowerId(), new Ack(appender));
                appender.triggerHeartbeat();
            }
        }

        /** True once confirmed (the caller completes the future, unlocked). */
        private boolean receive(LogAppender appender, AppendEntriesReplyProto reply, Predicate<Predicate<RaftPeerId>> hasMajority) {
            RaftPeerId follower = appender.getFollowerId();
            Ack ack = acks.get(follower);
            if (ack == null || ack.appender != appender) {
                // A follower added, or its appender restarted (call ids start again): count from now on.
                acks.put(follower, new Ack(appender));
                appender.triggerHeartbeat();
                return false;
            }
            if (ack.acknowledged) {
                return false;
            }
            if (appender.getCallIdComparator().compare(reply.getServerReply().getCallId(), ack.minCallId) < 0) {
                // A request created before the round started. Ratis clears an appender's heartbeat
                // trigger when it sends a request, and this one may have been on its way out when the
                // round asked for a heartbeat: that ask is then lost, and the round would wait for the
                // periodic heartbeat (half an election timeout; reads stalled 500 ms). Ask again.
                appender.triggerHeartbeat();
                return false;
            }
            if (!reply.getServerReply().getSuccess()) {
                return false;
            }
            ack.acknowledged = true;
            return hasMajority.test(id -> {
                Ack a = acks.get(id);
                return a != null && a.acknowledged;
            });
        }
    }

    /** The round in flight, or null. */
    private AppendEntriesListener inFlight;
    /** The round gathering reads that arrived while one is in flight, or null. */
    private AppendEntriesListener next;
    /** Set when this leader steps down: every later read fails with it too. */
    private Exception failure;

    /** Never null (Ratis' version returned null for "already confirmed", the shortcut this class removes). */
    synchronized AppendEntriesListener addAppendEntriesListener(long commitIndex, Function<Long, AppendEntriesListener> constructor) {
        if (failure != null) {
            AppendEntriesListener failed = constructor.apply(commitIndex);
            failed.future.completeExceptionally(failure);
            return failed;
        }
        if (inFlight == null) {
            inFlight = constructor.apply(commitIndex);
            inFlight.start();
            return inFlight;
        }
        if (next == null) {
            next = constructor.apply(commitIndex);
        } else {
            next.commitIndex = Math.max(next.commitIndex, commitIndex);
        }
        return next;
    }

    /** Completes a confirmed round outside the lock: Ratis goes on to the state machine from there. */
    void onAppendEntriesReply(LogAppender appender, AppendEntriesReplyProto reply, Predicate<Predicate<RaftPeerId>> hasMajority) {
        AppendEntriesListener confirmed;
        synchronized (this) {
            if (inFlight == null || !inFlight.receive(appender, reply, hasMajority)) {
                return;
            }
            confirmed = inFlight;
            inFlight = next;
            next = null;
            if (inFlight != null) {
                inFlight.start();
            }
        }
        confirmed.future.complete(confirmed.commitIndex);
    }

    void failListeners(Exception e) {
        List<AppendEntriesListener> failed = new ArrayList<>();
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = e;
            if (inFlight != null) {
                failed.add(inFlight);
            }
            if (next != null) {
                failed.add(next);
            }
            inFlight = null;
            next = null;
        }
        for (AppendEntriesListener listener : failed) {
            listener.future.completeExceptionally(e);
        }
    }

    /** Rounds in flight or gathering (0-2), for tests. */
    synchronized int pendingCount() {
        return (inFlight == null ? 0 : 1) + (next == null ? 0 : 1);
    }
}
