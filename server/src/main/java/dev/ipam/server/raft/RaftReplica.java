package dev.ipam.server.raft;

import dev.ipam.core.Core;
import dev.ipam.ratis.EntryFormat;
import dev.ipam.ratis.EntryFormat.Command;
import dev.ipam.ratis.EntryFormat.Outcome;
import dev.ipam.server.Replica;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Replica} on Ratis.
 *
 * <p>Writes: commands queue (bounded by {@code pendingCommandsMax}; beyond it a submission fails at
 * once with {@link Unavailable}, message prefix {@link #OVERLOADED}) and one batcher thread packs them into Raft entries of at most
 * {@code batchCommandsMax} commands and {@code batchBytesMax} bytes, waiting at most
 * {@link #lingerUs} for more once it has one while other entries are in flight (never when the
 * node is otherwise idle), with at most {@link #inFlightLimit} entries
 * submitted at a time: under load the queue fills while entries are in flight, so entries grow with
 * the load. The leader submits to its own server directly; a follower sends through a Ratis client
 * to the leader. An entry that fails for lack of a leader is resent whole until the request
 * deadline; its request ids make the resend apply each command at most once.
 *
 * <p>Reads: linearizable reads run a ReadIndex on this node (leader or follower) and then read the
 * local state; {@code linearizable=false} reads the local state at once.
 */
public final class RaftReplica implements Replica, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftReplica.class);
    private static final int READ_THREADS = 2;
    /** Threads that complete callers' futures, so their continuations never run on the apply thread. */
    private static final int COMPLETION_THREADS = 2;
    private static final int READS_PENDING_MAX = 10_000;
    private static final long RETRY_BACKOFF_MS = 50;

    /** Messages of {@link Unavailable} refusals for saturation (nothing was applied) start with this. */
    public static final String OVERLOADED = "overloaded: ";

    private final RaftNode node;
    private final RaftSettings settings;
    private final Core core;
    private final ArrayBlockingQueue<Pending> queue;
    private final Semaphore entriesInFlight;
    /** Permits of entriesInFlight: entries-in-flight-max, or when it is unset the largest automatic limit. */
    private final int permits;
    /** The batcher waits for an entry in flight to complete: the in-flight limit is reached. */
    private volatile boolean waitingForInFlight;
    /** True while the batcher lingers: a completing entry then wakes it through the queue ({@link #WAKE}). */
    private volatile boolean lingering;
    private final Thread batcher;
    private final ExecutorService readExecutor;
    private final ScheduledExecutorService retryTimer;
    private final ExecutorService completions;
    private final ExecutorService submitter;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private volatile boolean closed;
    /** Outcomes of entries sent and not yet answered: closing fails them, as their answers can no longer come. */
    private final Set<CompletableFuture<Replied>> unanswered = ConcurrentHashMap.newKeySet();
    private Pending carried;

    private record Pending(String requestId, byte[] command, CompletableFuture<Applied> future, long deadlineNanos, int bytes,
                           long queuedNanos) {
    }

    /** An entry's outcomes and when the reply came ({@link System#nanoTime}). */
    private record Replied(List<Outcome> outcomes, long atNanos) {
    }

    /**
     * Where a write's time goes on the node that took it, for ipamd's metrics. Called on the batcher
     * and completion threads; must not block.
     */
    public interface WriteTimings {
        WriteTimings NONE = new WriteTimings() {
        };

        /** Once per command: from its submission to the batcher sending the entry that carries it. */
        default void queued(long nanos) {
        }

        /**
         * Once per entry: from its submission to Raft (through the leader when this node is a follower,
         * resends included) to the reply, which comes once the entry is applied here (leader) or on the leader.
         */
        default void replied(long nanos) {
        }

        /** Once per entry: from the reply to every command of the entry having its result (completion threads). */
        default void answered(long nanos) {
        }
    }

    private volatile WriteTimings timings = WriteTimings.NONE;

    /** Not a command: put in the queue by a completing entry to end the batcher's linger (skipped elsewhere). */
    private static final Pending WAKE = new Pending("", new byte[0], new CompletableFuture<>(), Long.MAX_VALUE, 0, 0);

    RaftReplica(RaftNode node, RaftSettings settings, Core core) {
        this.node = node;
        this.settings = settings;
        this.core = core;
        this.queue = new ArrayBlockingQueue<>(settings.pendingCommandsMax());
        this.permits = settings.entriesInFlightMax() != RaftSettings.ENTRIES_IN_FLIGHT_AUTO ? settings.entriesInFlightMax()
                : Math.max(RaftSettings.ENTRIES_IN_FLIGHT_ALONE, RaftSettings.ENTRIES_IN_FLIGHT_GROUP);
        this.entriesInFlight = new Semaphore(permits);
        this.readExecutor = new ThreadPoolExecutor(READ_THREADS, READ_THREADS, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(READS_PENDING_MAX), daemon("ipam-read-" + settings.self().id()));
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("ipam-retry-" + settings.self().id()));
        timer.setRemoveOnCancelPolicy(true);
        this.retryTimer = timer;
        this.submitter = Executors.newSingleThreadExecutor(daemon("ipam-submit-" + settings.self().id()));
        this.completions = Executors.newFixedThreadPool(COMPLETION_THREADS, daemon("ipam-complete-" + settings.self().id()));
        this.batcher = new Thread(this::runBatcher, "ipam-batcher-" + settings.self().id());
        batcher.setDaemon(true);
        batcher.start();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public CompletableFuture<Applied> submit(String requestId, byte[] command) {
        CompletableFuture<Applied> future = new CompletableFuture<>();
        int bytes = new Command(requestId, command).encodedBytes();
        if (requestId.isEmpty() || requestId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > EntryFormat.REQUEST_ID_BYTES_MAX) {
            future.completeExceptionally(new IllegalArgumentException("requestId must be 1.." + EntryFormat.REQUEST_ID_BYTES_MAX + " bytes"));
            return future;
        }
        if (bytes + 64 > settings.batchBytesMax()) {
            future.completeExceptionally(new IllegalArgumentException("command bytes=" + command.length
                    + " exceeds batch-bytes-max=" + settings.batchBytesMax()));
            return future;
        }
        String problem = core.check(command);
        if (problem != null) {
            future.completeExceptionally(new IllegalArgumentException(problem));
            return future;
        }
        if (closed) {
            future.completeExceptionally(new Unavailable("node " + settings.self().id() + " is shutting down"));
            return future;
        }
        long now = System.nanoTime();
        long deadline = now + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
        if (!queue.offer(new Pending(requestId, command, future, deadline, bytes, now))) {
            future.completeExceptionally(new Unavailable(OVERLOADED + "node " + settings.self().id() + " has "
                    + settings.pendingCommandsMax() + " commands pending (pending-commands-max); retry later"));
        }
        return future;
    }

    private void runBatcher() {
        while (!closed) {
            try {
                // Waits until at most limit - 1 others are in flight, then holds one permit for this entry.
                int held = permits - inFlightLimit() + 1;
                if (!entriesInFlight.tryAcquire(held)) {
                    waitingForInFlight = true;
                    try {
                        entriesInFlight.acquire(held);
                    } finally {
                        waitingForInFlight = false;
                    }
                }
                entriesInFlight.release(held - 1);
                List<Pending> batch = nextBatch();
                if (batch.isEmpty()) {
                    entriesInFlight.release();
                    continue;
                }
                send(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("batcher of {} failed; continuing", settings.self().id(), e);
            }
        }
    }

    /**
     * Blocks for the first command, then takes what fits within the limits. It lingers for more only
     * while other entries of this node are in flight, and only until one of them completes or the
     * linger time ends: the new entry would have waited behind them anyway, and a fuller entry costs
     * Raft less per command (group commit). With nothing in flight it takes what is queued and goes,
     * so a lone client never waits; on a fast pipeline (one node) the wait ends with the entry ahead.
     */
    private List<Pending> nextBatch() throws InterruptedException {
        Pending first = carried;
        carried = null;
        while (first == null || first == WAKE) { // a wake left from an earlier linger is stale
            first = queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                return new ArrayList<>();
            }
        }
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        int bytes = 16 + first.bytes();
        // The batcher holds one permit for this entry and is the only one taking permits: any other
        // permit taken is an entry in flight, and a permit coming back is one of them completing.
        int freeBefore = entriesInFlight.availablePermits();
        boolean othersInFlight = freeBefore < permits - 1;
        long lingerEnd = System.nanoTime() + (othersInFlight ? TimeUnit.MICROSECONDS.toNanos(lingerUs()) : 0);
        lingering = othersInFlight;
        try {
            while (batch.size() < settings.batchCommandsMax()) {
                Pending next = queue.poll();
                while (next == null || next == WAKE) {
                    long left = lingerEnd - System.nanoTime();
                    if (left <= 0 || entriesInFlight.availablePermits() != freeBefore) {
                        return batch;
                    }
                    next = queue.poll(left, TimeUnit.NANOSECONDS);
                }
                if (bytes + next.bytes() > settings.batchBytesMax()) {
                    carried = next;
                    break;
                }
                bytes += next.bytes();
                batch.add(next);
            }
        } finally {
            lingering = false;
        }
        return batch;
    }

    private void send(List<Pending> batch) {
        List<Command> commands = new ArrayList<>(batch.size());
        long deadline = Long.MAX_VALUE;
        WriteTimings timings = this.timings;
        long sent = System.nanoTime();
        for (Pending p : batch) {
            commands.add(new Command(p.requestId(), p.command()));
            deadline = Math.min(deadline, p.deadlineNanos());
        }
        byte[] entry = EntryFormat.encodeEntry(0, commands);
        CompletableFuture<Replied> outcome = new CompletableFuture<>();
        unanswered.add(outcome);
        attempt(entry, deadline, outcome, 1);
        // Ratis completes a leader's own submissions on its apply thread: hand the callers' work off it.
        outcome.whenCompleteAsync((replied, error) -> {
            unanswered.remove(outcome);
            entriesInFlight.release();
            if (lingering) {
                queue.offer(WAKE); // when the queue is full the batch fills without waiting anyway
            }
            if (error != null) {
                Throwable cause = unwrap(error);
                for (Pending p : batch) {
                    p.future().completeExceptionally(cause);
                }
                return;
            }
            List<Outcome> outcomes = replied.outcomes();
            if (outcomes.size() != batch.size()) {
                IllegalStateException broken = new IllegalStateException("entry of " + batch.size()
                        + " commands answered " + outcomes.size() + " outcomes");
                batch.forEach(p -> p.future().completeExceptionally(broken));
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).future().complete(new Applied(outcomes.get(i).index(), outcomes.get(i).result()));
            }
            timings.replied(replied.atNanos() - sent);
            timings.answered(System.nanoTime() - replied.atNanos());
        }, completions);
        // Last, when the entry's answers are already arranged: an observer's failure cannot strand them.
        for (Pending p : batch) {
            timings.queued(sent - p.queuedNanos());
        }
    }

    /** Where writes taken by this node spend their time (ipamd's metrics); replaces the previous observer. */
    public void writeTimings(WriteTimings timings) {
        this.timings = timings;
    }

    /** True while the batcher waits because the in-flight limit is reached (tests). */
    boolean waitingForInFlight() {
        return waitingForInFlight;
    }

    /** The in-flight limit in force: entries-in-flight-max, or when it is unset, by the group's size as it is now. */
    int inFlightLimit() {
        int configured = settings.entriesInFlightMax();
        return configured != RaftSettings.ENTRIES_IN_FLIGHT_AUTO ? configured : RaftSettings.entriesInFlightFor(members());
    }

    /** Members of the group as it is now, this node included. */
    private int members() {
        return node.division().getRaftConf().getCurrentPeers().size();
    }

    /** The linger in force: batch-linger-us, or when it is unset, by the group's size as it is now. */
    int lingerUs() {
        int configured = settings.batchLingerUs();
        return configured != RaftSettings.BATCH_LINGER_US_AUTO ? configured
                : RaftSettings.batchLingerUsFor(members());
    }

    /** One submission of the entry; on a retriable failure, another after a short pause until the deadline. */
    private void attempt(byte[] entry, long deadlineNanos, CompletableFuture<Replied> outcome, int attempt) {
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(entry));
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = node.division().getInfo().isLeader() ? submitLocalAsync(message) : node.client().async().send(message);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> {
            Throwable failure = error != null ? unwrap(error) : (r.isSuccess() ? null : r.getException());
            if (failure == null) {
                try {
                    outcome.complete(new Replied(EntryFormat.decodeReply(r.getMessage().getContent().asReadOnlyByteBuffer()),
                            System.nanoTime()));
                } catch (RuntimeException e) {
                    outcome.completeExceptionally(e);
                }
                return;
            }
            if (failure instanceof StateMachineException) {
                outcome.completeExceptionally(new IllegalArgumentException(failure.getMessage(), failure));
                return;
            }
            long leftNanos = deadlineNanos - System.nanoTime();
            if (closed || leftNanos <= TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MS)) {
                outcome.completeExceptionally(new Unavailable("no quorum within request-timeout-ms="
                        + settings.requestTimeoutMs() + " after " + attempt + " attempts: " + failure));
                return;
            }
            LOG.debug("entry attempt {} failed, retrying: {}", attempt, failure.toString());
            try {
                retryTimer.schedule(() -> attempt(entry, deadlineNanos, outcome, attempt + 1), RETRY_BACKOFF_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                outcome.completeExceptionally(new Unavailable("node " + settings.self().id() + " is shutting down"));
            }
        });
    }

    /**
     * The leader's own entries go straight to its server, but from the submitter thread: Ratis does the
     * leader's append work inside {@code submitClientRequestAsync}, and doing that on the batcher thread
     * stalled batching (measured: 3x fewer claims/s at concurrency 16 to 256 than through a client).
     */
    private CompletableFuture<RaftClientReply> submitLocalAsync(Message message) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return submitLocal(message, RaftClientRequest.writeRequestType());
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, submitter).thenCompose(Function.identity());
    }

    private CompletableFuture<RaftClientReply> submitLocal(Message message, RaftClientRequest.Type type) throws IOException {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(node.selfId())
                .setGroupId(node.groupIdValue())
                .setCallId(callIds.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .setTimeoutMs(settings.requestTimeoutMs())
                .build();
        return node.server().submitClientRequestAsync(request);
    }

    @Override
    public <T> CompletableFuture<T> read(boolean linearizable, Function<Snapshot, T> read) {
        if (!linearizable || settings.unsafeStaleReads()) {
            // unsafeStaleReads: deliberately broken mode for the fault-injection harness (see RaftSettings).
            return CompletableFuture.supplyAsync(() -> readLocal(read), readExecutor);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
        readIndex(deadline, 1).whenComplete((ignored, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            try {
                readExecutor.execute(() -> {
                    try {
                        result.complete(readLocal(read));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new Unavailable(OVERLOADED + READS_PENDING_MAX + " reads pending on " + settings.self().id()));
            }
        });
        return result;
    }

    @Override
    public boolean readsShouldYield() {
        return node.stateMachine().exclusiveWanted();
    }

    private <T> T readLocal(Function<Snapshot, T> read) {
        return node.stateMachine().read((view, index) -> read.apply(new Snapshot(view, index)));
    }

    /** Completes once this node has applied everything committed when it was called (ReadIndex). */
    private CompletableFuture<Void> readIndex(long deadlineNanos, int attempt) {
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = submitLocal(Message.EMPTY, RaftClientRequest.readRequestType());
        } catch (IOException | RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((r, error) -> {
            Throwable failure = error != null ? unwrap(error) : (r.isSuccess() ? null : r.getException());
            if (failure == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (closed || deadlineNanos - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MS)) {
                return CompletableFuture.<Void>failedFuture(new Unavailable("no linearizable read within request-timeout-ms="
                        + settings.requestTimeoutMs() + ": " + failure));
            }
            CompletableFuture<Void> next = new CompletableFuture<>();
            retryTimer.schedule(() -> readIndex(deadlineNanos, attempt + 1).whenComplete((v, e) -> {
                if (e != null) {
                    next.completeExceptionally(unwrap(e));
                } else {
                    next.complete(null);
                }
            }), RETRY_BACKOFF_MS, TimeUnit.MILLISECONDS);
            return next;
        }).thenCompose(Function.identity());
    }

    @Override
    public void addApplyListener(ApplyListener listener) {
        node.stateMachine().addListener(listener::applied);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Commands waiting for the batcher (tests: has it taken what was submitted?). */
    int queuedCommands() {
        int commands = 0;
        for (Pending p : queue) {
            commands += p == WAKE ? 0 : 1;
        }
        return commands;
    }

    @Override
    public void close() {
        closed = true;
        batcher.interrupt();
        try {
            batcher.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Unavailable stopping = new Unavailable("node " + settings.self().id() + " is shutting down");
        for (Pending p = queue.poll(); p != null; p = queue.poll()) {
            if (p != WAKE) {
                p.future().completeExceptionally(stopping);
            }
        }
        if (carried != null) {
            carried.future().completeExceptionally(stopping);
        }
        // A sent entry's outcome comes from Ratis or from a retry on the timer, and neither comes
        // after this; its callers would wait for good. Failed here, before the completion pool
        // stops, the outcome answers them through the entry's own callback in send(). Whether such
        // an entry commits is for a read to tell (a retry with the same request id returns its outcome).
        unanswered.forEach(outcome -> outcome.completeExceptionally(stopping));
        retryTimer.shutdownNow();
        readExecutor.shutdownNow();
        completions.shutdown();
        submitter.shutdown();
    }
}
