package org.apache.ratis.server.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.leader.LogAppender;
import org.junit.jupiter.api.Test;

/** ipamd's leadership confirmation for reads, against appenders whose call ids the test moves. */
class ReadIndexHeartbeatsTest {
    /** A follower's appender: the call id of its next request, and the heartbeats asked of it. */
    private static final class Appender {
        final RaftPeerId id;
        final AtomicLong nextCallId = new AtomicLong(10);
        final AtomicInteger heartbeats = new AtomicInteger();
        final LogAppender proxy;

        Appender(String id) {
            this.id = RaftPeerId.valueOf(id);
            this.proxy = (LogAppender) Proxy.newProxyInstance(LogAppender.class.getClassLoader(), new Class<?>[] {LogAppender.class},
                    (self, method, args) -> switch (method.getName()) {
                        case "getFollowerId" -> this.id;
                        case "getCallId" -> nextCallId.get();
                        case "getCallIdComparator" -> Comparator.<Long>naturalOrder();
                        case "triggerHeartbeat" -> {
                            heartbeats.incrementAndGet();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        case "toString" -> "appender to " + this.id;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        /** Creates a request (heartbeat or entries) and returns its call id. */
        long send() {
            return nextCallId.getAndIncrement();
        }
    }

    private final Appender f1 = new Appender("f1");
    private final Appender f2 = new Appender("f2");
    private final Appender f3 = new Appender("f3");
    private final Appender f4 = new Appender("f4");
    private final List<LogAppender> appenders = new ArrayList<>(List.of(f1.proxy, f2.proxy, f3.proxy, f4.proxy));
    private final ReadIndexHeartbeats heartbeats = new ReadIndexHeartbeats();
    /** Five voters: the leader and f1-f4; the leader with two followers is a majority. */
    private final Predicate<Predicate<RaftPeerId>> hasMajority = acked -> {
        int votes = 1;
        for (LogAppender a : appenders) {
            votes += acked.test(a.getFollowerId()) ? 1 : 0;
        }
        return votes >= 3;
    };

    private CompletableFuture<Long> read(long commitIndex) {
        return heartbeats.addAppendEntriesListener(commitIndex, i -> new ReadIndexHeartbeats.AppendEntriesListener(i, appenders)).getFuture();
    }

    private void reply(Appender appender, long callId, boolean success) {
        AppendEntriesReplyProto reply = AppendEntriesReplyProto.newBuilder()
                .setServerReply(RaftRpcReplyProto.newBuilder().setCallId(callId).setSuccess(success))
                .build();
        heartbeats.onAppendEntriesReply(appender.proxy, reply, hasMajority);
    }

    @Test
    void aReadIsConfirmedOnlyByAMajorityOfRepliesToRequestsCreatedAfterIt() {
        long before1 = f1.send();
        long before2 = f2.send();
        CompletableFuture<Long> read = read(42);
        assertEquals(1, f1.heartbeats.get(), "the read asks every follower for a heartbeat");
        reply(f1, before1, true);
        reply(f2, before2, true);
        assertFalse(read.isDone(), "replies to requests created before the read arrived prove nothing about now");
        // Ratis clears the heartbeat trigger when it sends a request: one on its way out as the round
        // asked for a heartbeat swallowed the ask, so its reply makes the round ask again.
        assertEquals(2, f1.heartbeats.get(), "asked again after a reply to an older request");
        assertEquals(2, f2.heartbeats.get());
        reply(f1, f1.send(), true);
        reply(f2, f2.send(), false);
        assertFalse(read.isDone(), "a refused request is no confirmation");
        reply(f1, f1.send(), true);
        assertFalse(read.isDone(), "one follower twice is not a majority");
        reply(f3, f3.send(), true);
        assertTrue(read.isDone());
        assertEquals(42, read.join());
        assertEquals(0, heartbeats.pendingCount());
    }

    /** The Ratis 3.3.0 shortcut: a second read at a confirmed commit index was answered at once. */
    @Test
    void aReadAtAnIndexConfirmedBeforeIsConfirmedAgain() {
        CompletableFuture<Long> first = read(7);
        reply(f1, f1.send(), true);
        reply(f2, f2.send(), true);
        assertEquals(7, first.join());
        // The leader is now cut off: its commit index stays at 7, and no reply comes back.
        CompletableFuture<Long> second = read(7);
        assertFalse(second.isDone(), "a leader cut off after a confirmed read must not answer the next one alone");
        reply(f3, f3.send(), true);
        reply(f4, f4.send(), true);
        assertEquals(7, second.join());
    }

    @Test
    void readsArrivingDuringARoundGatherInTheNextWhichStartsWhenItEnds() {
        CompletableFuture<Long> first = read(5);
        assertEquals(1, f1.heartbeats.get());
        long sentBetween = f1.send();
        CompletableFuture<Long> second = read(5);
        CompletableFuture<Long> third = read(6);
        assertSame(second, third, "reads during a round share the next one");
        assertNotSame(first, second);
        assertEquals(1, f1.heartbeats.get(), "no heartbeat for reads that wait for the round in flight");
        assertEquals(2, heartbeats.pendingCount());
        long sentAfter = f2.send();
        reply(f1, sentBetween, true);
        reply(f2, sentAfter, true);
        assertTrue(first.isDone(), "both requests were created after the first read arrived");
        assertEquals(5, first.join());
        assertFalse(second.isDone(), "those requests came before the second round started");
        assertEquals(2, f1.heartbeats.get(), "the next round starts with heartbeats as the first ends");
        reply(f1, f1.send(), true);
        reply(f3, f3.send(), true);
        assertTrue(second.isDone());
        assertEquals(6, second.join(), "the round's read index is the highest commit index its reads arrived at");
        assertEquals(0, heartbeats.pendingCount());
        CompletableFuture<Long> fourth = read(6);
        assertEquals(3, f1.heartbeats.get(), "a read with no round in flight starts one at once");
        assertFalse(fourth.isDone());
    }

    @Test
    void aRestartedAppenderCountsOnlyRequestsOfItsOwnAfterTheRead() {
        CompletableFuture<Long> read = read(9);
        Appender restarted = new Appender("f1");
        restarted.nextCallId.set(0);
        appenders.set(0, restarted.proxy);
        reply(restarted, restarted.send(), true);
        reply(f2, f2.send(), true);
        assertFalse(read.isDone(), "the new appender's first reply is to a request the read did not see created");
        reply(restarted, restarted.send(), true);
        assertTrue(read.isDone());
    }

    @Test
    void aLeaderThatStepsDownFailsPendingAndLaterReads() {
        CompletableFuture<Long> pending = read(3);
        CompletableFuture<Long> gathering = read(3);
        IllegalStateException steppedDown = new IllegalStateException("not leader");
        heartbeats.failListeners(steppedDown);
        assertTrue(pending.isCompletedExceptionally());
        assertTrue(gathering.isCompletedExceptionally());
        assertEquals(0, heartbeats.pendingCount());
        CompletableFuture<Long> later = read(3);
        assertTrue(later.isCompletedExceptionally());
        reply(f1, f1.send(), true);
        reply(f2, f2.send(), true);
        assertTrue(later.isCompletedExceptionally());
    }
}
