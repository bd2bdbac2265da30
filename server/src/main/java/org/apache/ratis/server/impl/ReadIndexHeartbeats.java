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
 * after the read arrived. Each pending confirmation records, per follower, the call id of the next
 * request, and the heartbeat it triggers carries that id or a later one. A read joins a pending
 * confirmation only when no request has been created since that confirmation began, so the replies
 * that complete it are still to requests created after the read arrived.
 */
class ReadIndexHeartbeats {
    /** Checked by ipamd at start-up: this class, not Ratis' own, is in use. */
    static final String REPLACEMENT = "ipamd: reads confirmed by replies to requests created after they arrived";

    /** One follower's part in a confirmation: the first call id that counts, and whether it came back. */
    private static final class Ack {
        final LogAppender appender;
        final long minCallId;
        boolean acknowledged;

        Ack(LogAppender appender) {
            this.appender = appender;
            this.minCallId = appender.getCallId();
        }

        /** No request has gone to this follower since the confirmation began. */
        boolean unchanged() {
            return appender.getCallId() == minCallId;
        }
    }

    /** A leadership confirmation for the reads at one commit index; Ratis waits on {@link #getFuture}. */
    static class AppendEntriesListener {
        private final long commitIndex;
        private final CompletableFuture<Long> future = new CompletableFuture<>();
        private final Map<RaftPeerId, Ack> acks = new HashMap<>();

        AppendEntriesListener(long commitIndex, Iterable<LogAppender> appenders) {
            this.commitIndex = commitIndex;
            for (LogAppender appender : appenders) {
                // The call id first: the heartbeat triggered next then counts.
                acks.put(appender.getFollowerId(), new Ack(appender));
                appender.triggerHeartbeat();
            }
        }

        CompletableFuture<Long> getFuture() {
            return future;
        }

        /** Only under the owner's lock. */
        private boolean unchanged() {
            for (Ack ack : acks.values()) {
                if (!ack.unchanged()) {
                    return false;
                }
            }
            return true;
        }

        /** Only under the owner's lock; true once confirmed (the caller completes the future, unlocked). */
        private boolean receive(LogAppender appender, AppendEntriesReplyProto reply, Predicate<Predicate<RaftPeerId>> hasMajority) {
            RaftPeerId follower = appender.getFollowerId();
            Ack ack = acks.get(follower);
            if (ack == null || ack.appender != appender) {
                // A follower added, or its appender restarted (call ids start again): count from now on.
                acks.put(follower, new Ack(appender));
                return false;
            }
            if (ack.acknowledged || !reply.getServerReply().getSuccess()
                    || appender.getCallIdComparator().compare(reply.getServerReply().getCallId(), ack.minCallId) < 0) {
                return false;
            }
            ack.acknowledged = true;
            return hasMajority.test(id -> {
                Ack a = acks.get(id);
                return a != null && a.acknowledged;
            });
        }
    }

    private final List<AppendEntriesListener> pending = new ArrayList<>();
    /** Set when this leader steps down: every later read fails with it too. */
    private Exception failure;

    /**
     * Never null (Ratis' version returned null for "already confirmed", the shortcut this class
     * removes): the newest pending confirmation when the read may join it, else a new one.
     */
    synchronized AppendEntriesListener addAppendEntriesListener(long commitIndex, Function<Long, AppendEntriesListener> constructor) {
        if (failure != null) {
            AppendEntriesListener failed = constructor.apply(commitIndex);
            failed.future.completeExceptionally(failure);
            return failed;
        }
        if (!pending.isEmpty()) {
            AppendEntriesListener newest = pending.get(pending.size() - 1);
            if (newest.commitIndex == commitIndex && newest.unchanged()) {
                return newest;
            }
        }
        AppendEntriesListener listener = constructor.apply(commitIndex);
        pending.add(listener);
        return listener;
    }

    /** Completes confirmed reads outside the lock: Ratis goes on to the state machine from there. */
    void onAppendEntriesReply(LogAppender appender, AppendEntriesReplyProto reply, Predicate<Predicate<RaftPeerId>> hasMajority) {
        List<AppendEntriesListener> confirmed = new ArrayList<>();
        synchronized (this) {
            pending.removeIf(listener -> listener.receive(appender, reply, hasMajority) && confirmed.add(listener));
        }
        for (AppendEntriesListener listener : confirmed) {
            listener.future.complete(listener.commitIndex);
        }
    }

    void failListeners(Exception e) {
        List<AppendEntriesListener> failed;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = e;
            failed = new ArrayList<>(pending);
            pending.clear();
        }
        for (AppendEntriesListener listener : failed) {
            listener.future.completeExceptionally(e);
        }
    }

    /** Pending confirmations, for tests. */
    synchronized int pendingCount() {
        return pending.size();
    }
}
