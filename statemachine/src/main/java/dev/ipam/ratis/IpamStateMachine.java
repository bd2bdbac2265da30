package dev.ipam.ratis;

import dev.ipam.core.Core;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.ReadView;
import dev.ipam.core.store.Space;
import dev.ipam.ratis.EntryFormat.Command;
import dev.ipam.ratis.EntryFormat.Outcome;
import dev.ipam.store.rocks.RocksStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis adapter around a {@link Core}: frames entries ({@link EntryFormat}), stamps time on the
 * leader, deduplicates request ids, and keeps the applied term/index in the same RocksDB batch as
 * the state it describes.
 *
 * <p>Apply of an entry at index i: every command whose request id was already applied returns its
 * stored outcome; the others go through {@link Core#apply} and their results are stored under the
 * request id ({@code Space.REQUESTS}; {@code Space.REQUESTS_BY_INDEX} lists them by the index they were
 * first applied at). Request ids first applied more than
 * {@link Options#requestRetentionEntries} entries ago are forgotten, in log-index order, inside the
 * same batch, so every replica forgets the same ids at the same index. Entries at or below the
 * persisted index (a restart replays the log from the last snapshot) are skipped. The live database
 * has no write-ahead log of its own ({@link RocksStore.Durability#REPLAYED_BY_CALLER}): after a
 * crash it holds the state as of its last flush, never older than the latest snapshot (a checkpoint
 * flushes first), and the replay applies the entries after it.
 *
 * <p>Failures: a malformed entry is rejected on the leader before it is logged. A storage error or
 * a broken invariant during apply is not a business outcome: the replica can no longer be trusted,
 * so {@link Halt} stops the process (a supervisor restarts it and it recovers from its log).
 *
 * <p>The live database is {@code liveDir}, outside the Ratis storage; snapshots are checkpoints in
 * the Ratis state-machine directory ({@link CheckpointStorage}).
 */
public final class IpamStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(IpamStateMachine.class);
    private static final byte REQUEST_PREFIX = 'r';
    private static final byte REQUEST_INDEX_PREFIX = 'i';

    /** Knobs of the state machine. */
    /**
     * @param requestRetentionEntries how many entries a request id is remembered for
     * @param snapshotEveryEntries the Ratis auto-snapshot interval (0: unknown), so that the store can
     *     flush ahead of a snapshot: a checkpoint flushes what is still in memory, and it runs on the
     *     apply thread. Without this, 10,000 entries of writes were flushed there at once and every
     *     node stopped answering for 1.7-1.8 s at the same index.
     */
    public record Options(long requestRetentionEntries, long snapshotEveryEntries) {
        /** About an hour of entries at 50 entries/s: far longer than any client retries. */
        public static final long REQUEST_RETENTION_ENTRIES_DEFAULT = 200_000;

        public Options {
            if (requestRetentionEntries < 1) {
                throw new IllegalArgumentException("requestRetentionEntries=" + requestRetentionEntries + " must be >= 1");
            }
            if (snapshotEveryEntries < 0) {
                throw new IllegalArgumentException("snapshotEveryEntries=" + snapshotEveryEntries + " must be >= 0");
            }
        }

        public Options(long requestRetentionEntries) {
            this(requestRetentionEntries, 0);
        }

        public static Options defaults() {
            return new Options(REQUEST_RETENTION_ENTRIES_DEFAULT);
        }

        /**
         * The index after {@code index} at which the store should next start flushing ahead of a
         * snapshot taken at {@code snapshotIndex}: each quarter of the interval, so the snapshot itself
         * flushes at most a quarter. Long.MAX_VALUE when the interval is unknown.
         */
        long nextPreflush(long snapshotIndex, long index) {
            long quarter = snapshotEveryEntries / 4;
            if (quarter < 1) {
                return Long.MAX_VALUE;
            }
            long base = Math.max(snapshotIndex, 0);
            long next = base + ((Math.max(index, base) - base) / quarter + 1) * quarter;
            return next >= base + snapshotEveryEntries ? Long.MAX_VALUE : next;
        }
    }

    /** What to do when the replica can no longer apply: in ipamd, log and halt the process. */
    @FunctionalInterface
    public interface Halt {
        void stop(String message, Throwable cause);

        static Halt process() {
            return (message, cause) -> {
                LOG.error("FATAL, halting: {}", message, cause);
                System.err.println("ipamd: FATAL, halting: " + message + ": " + cause);
                Runtime.getRuntime().halt(70);
            };
        }
    }

    /** Called on the apply thread after an entry commits, once per command applied for the first time. */
    @FunctionalInterface
    public interface Listener {
        void applied(long index, byte[] command, byte[] result);
    }

    private final Core core;
    private final Path liveDir;
    private final Options options;
    private final Halt halt;
    private final LongSupplier clockMs;
    private final CheckpointStorage storage = new CheckpointStorage();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile SnapshotListener snapshotListener = SnapshotListener.NONE;
    private volatile EntryTimings entryTimings = EntryTimings.NONE;
    /** Reads hold it shared; swapping the live database after a snapshot install holds it exclusively. */
    private final ReentrantReadWriteLock storeLock = new ReentrantReadWriteLock();
    /** Threads waiting for {@link #storeLock} exclusively (close, a snapshot install): long reads yield to them. */
    private final java.util.concurrent.atomic.AtomicInteger exclusiveWaiting = new java.util.concurrent.atomic.AtomicInteger();
    private volatile RocksStore store;
    /** Equal to what is persisted in META once initialized; written only by the apply thread. */
    private volatile AppliedState applied = AppliedState.EMPTY;
    /** The applied index at which the store next flushes ahead of a snapshot (apply thread only). */
    private long preflushAt = Long.MAX_VALUE;

    public IpamStateMachine(Core core, Path liveDir, Options options, Halt halt, LongSupplier clockMs) {
        this.core = core;
        this.liveDir = liveDir;
        this.options = options;
        this.halt = halt;
        this.clockMs = clockMs;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Snapshots taken and installed, with their durations: what operators graph (ipamd's metrics). */
    public interface SnapshotListener {
        SnapshotListener NONE = new SnapshotListener() {
            @Override
            public void taken(long index, long durationNanos) {
            }

            @Override
            public void installed(long index, long durationNanos) {
            }
        };

        void taken(long index, long durationNanos);

        void installed(long index, long durationNanos);
    }

    public void snapshotListener(SnapshotListener listener) {
        this.snapshotListener = listener;
    }

    /**
     * Where an entry's time goes on this replica, for ipamd's metrics; called on the apply thread once
     * per entry with commands, after it is applied.
     */
    @FunctionalInterface
    public interface EntryTimings {
        EntryTimings NONE = (committedNanos, applyNanos) -> {
        };

        /**
         * @param committedNanos from this leader's {@code startTransaction} (before logging) to the
         *     start of the entry's apply: log write and sync, replication, commit, and waiting behind the
         *     entries applied before it; -1 when this replica did not start the entry (a follower, or a
         *     replay after a restart or a change of leader)
         * @param applyNanos the entry's apply, its RocksDB write included
         */
        void applied(long committedNanos, long applyNanos);
    }

    public void entryTimings(EntryTimings timings) {
        this.entryTimings = timings;
    }

    /** The applied state as persisted (index, term, last entry time). */
    public AppliedState appliedState() {
        return applied;
    }

    /**
     * Whether a thread waits to close or replace the live database (shutdown, a snapshot install).
     * A read that runs long (a backup streaming to a slow client) checks this and ends early, or the
     * node could not stop, nor install a snapshot, until the client finished downloading.
     */
    public boolean exclusiveWanted() {
        return exclusiveWaiting.get() > 0;
    }

    private void lockExclusive() {
        exclusiveWaiting.incrementAndGet();
        try {
            storeLock.writeLock().lock();
        } finally {
            exclusiveWaiting.decrementAndGet();
        }
    }

    /**
     * Runs {@code reader} against one consistent state of this replica, with the applied index that
     * state reflects. The view is valid only during the call.
     */
    public <T> T read(BiFunction<ReadView, Long, T> reader) {
        storeLock.readLock().lock();
        RocksStore current = store;
        if (current == null) {
            storeLock.readLock().unlock();
            throw new IllegalStateException(getId() + ": the state machine is closed");
        }
        try (RocksStore.View view = current.view()) {
            long index = AppliedState.decode(view.get(Space.META, AppliedState.KEY)).index();
            return reader.apply(view, index);
        } finally {
            storeLock.readLock().unlock();
        }
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            openLive(false);
        });
    }

    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** After Ratis installed a snapshot into the state-machine directory: rebuild the live database from it. */
    @Override
    public void reinitialize() throws IOException {
        if (getLifeCycleState() != LifeCycle.State.PAUSED) {
            return;
        }
        long start = System.nanoTime();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        storage.reload();
        openLive(true);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
        snapshotListener.installed(applied.index(), System.nanoTime() - start);
    }

    private void openLive(boolean fromSnapshot) throws IOException {
        lockExclusive();
        try {
            if (store != null) {
                store.close();
                store = null;
            }
            FileListSnapshotInfo snapshot = storage.latest();
            RocksStore opened = openLiveStore();
            AppliedState state = AppliedState.decode(opened.get(Space.META, AppliedState.KEY));
            if (snapshot != null && (fromSnapshot || state.index() < snapshot.getIndex())) {
                LOG.info("{}: rebuilding live state at {} (index {}) from snapshot {}", getId(), liveDir,
                        state.index(), snapshot.getTermIndex());
                opened.close();
                CheckpointStorage.copyTo(snapshot, liveDir);
                opened = openLiveStore();
                state = AppliedState.decode(opened.get(Space.META, AppliedState.KEY));
                Check.that(state.index() >= snapshot.getIndex(), "snapshot " + snapshot.getTermIndex()
                        + " holds applied index " + state.index());
            }
            store = opened;
            applied = state;
            preflushAt = options.nextPreflush(snapshot == null ? 0 : snapshot.getIndex(), state.index());
            if (snapshot != null) {
                setLastAppliedTermIndex(snapshot.getTermIndex());
            }
            LOG.info("{}: live state at {} applied through {}, latest snapshot {}", getId(), liveDir, state,
                    snapshot == null ? "none" : snapshot.getTermIndex());
        } finally {
            storeLock.writeLock().unlock();
        }
    }

    /** The live database has no write-ahead log: the Raft log is replayed above its applied index. */
    private RocksStore openLiveStore() {
        return RocksStore.open(liveDir, RocksStore.Durability.REPLAYED_BY_CALLER);
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return storage.getLatestSnapshot();
    }

    /** Runs on the apply thread between entries, so the live state is exactly the last applied one. */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        FileListSnapshotInfo latest = storage.latest();
        if (last == null || last.getIndex() < 0) {
            return latest == null ? RaftLog.INVALID_LOG_INDEX : latest.getIndex();
        }
        if (latest != null && latest.getIndex() >= last.getIndex()) {
            return latest.getIndex();
        }
        long start = System.nanoTime();
        storeLock.readLock().lock();
        try {
            storage.take(store, last);
        } catch (RuntimeException e) {
            throw new IOException("snapshot at " + last + " failed", e);
        } finally {
            storeLock.readLock().unlock();
        }
        snapshotListener.taken(last.getIndex(), System.nanoTime() - start);
        preflushAt = options.nextPreflush(last.getIndex(), last.getIndex());
        LOG.info("{}: snapshot taken at {}", getId(), last);
        return last.getIndex();
    }

    /** On the leader, before logging: reject malformed entries and stamp the entry time. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) {
        byte[] bytes = request.getMessage().getContent().toByteArray();
        TransactionContext.Builder builder = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request);
        String problem = check(bytes);
        if (problem != null) {
            TransactionContext rejected = builder.build();
            rejected.setException(new StateMachineException("rejected entry: " + problem));
            return rejected;
        }
        byte[] stamped = EntryFormat.stamp(bytes, clockMs.getAsLong());
        // The leader hands this same context to applyTransaction: the start of EntryTimings' committed time.
        return builder.setLogData(UnsafeByteOperations.unsafeWrap(stamped)).setStateMachineContext(System.nanoTime())
                .build();
    }

    private String check(byte[] bytes) {
        EntryFormat.Entry entry;
        try {
            entry = EntryFormat.decodeEntry(bytes);
        } catch (EntryFormat.MalformedException e) {
            return e.getMessage();
        }
        for (int i = 0; i < entry.commands().size(); i++) {
            String problem = core.check(entry.commands().get(i).command());
            if (problem != null) {
                return "command " + i + " (requestId=" + entry.commands().get(i).requestId() + "): " + problem;
            }
        }
        return null;
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        // A ReadIndex read: Ratis calls this once this replica has applied through the read index.
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long start = System.nanoTime();
        List<Outcome> outcomes;
        try {
            byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
            outcomes = apply(entry.getTerm(), entry.getIndex(), data);
        } catch (RuntimeException | Error e) {
            halt.stop(getId() + ": apply of entry " + entry.getTerm() + ":" + entry.getIndex() + " failed", e);
            throw e;
        }
        if (!outcomes.isEmpty()) {
            reportTimings(trx, start, System.nanoTime() - start);
        }
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(EntryFormat.encodeReply(outcomes))));
    }

    /** Outside apply's halt: the entry is applied, and a failing metric must not stop the replica. */
    private void reportTimings(TransactionContext trx, long applyStart, long applyNanos) {
        long committed = trx.getStateMachineContext() instanceof Long started ? applyStart - started : -1;
        try {
            entryTimings.applied(committed, applyNanos);
        } catch (RuntimeException e) {
            LOG.error("{}: entry timings listener failed", getId(), e);
        }
    }

    /** Non-state-machine entries (configuration, leader no-ops) also advance the persisted index. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        AppliedState state = applied;
        if (index > state.index()) {
            AppliedState next = state.advance(term, index);
            try (Batch batch = store.batch()) {
                batch.put(Space.META, AppliedState.KEY, next.encode());
                batch.commit();
            } catch (RuntimeException | Error e) {
                halt.stop(getId() + ": recording applied index " + term + ":" + index + " failed", e);
                throw e;
            }
            applied = next;
        }
        super.notifyTermIndexUpdated(term, index);
    }

    private List<Outcome> apply(long term, long index, byte[] data) {
        AppliedState state = applied;
        EntryFormat.Entry entry;
        try {
            entry = EntryFormat.decodeEntry(data);
        } catch (EntryFormat.MalformedException e) {
            // Checked on the leader, so only a foreign writer gets here; skipping is deterministic.
            LOG.warn("{}: skipping malformed entry {}:{}: {}", getId(), term, index, e.getMessage());
            entry = new EntryFormat.Entry(state.timestampMs(), List.of());
        }
        if (index <= state.index()) {
            updateLastAppliedTermIndex(term, index);
            return storedOutcomes(entry.commands(), index);
        }
        long timestampMs = Math.max(entry.timestampMs(), state.timestampMs());
        List<Outcome> outcomes = new ArrayList<>(entry.commands().size());
        byte[][] results = new byte[entry.commands().size()][];
        AppliedState next;
        try (Batch batch = store.batch()) {
            for (int i = 0; i < entry.commands().size(); i++) {
                Command command = entry.commands().get(i);
                byte[] id = command.requestId().getBytes(StandardCharsets.UTF_8);
                byte[] seen = batch.get(Space.REQUESTS, requestKey(id));
                if (seen != null) {
                    outcomes.add(decodeRecord(seen));
                    continue;
                }
                Core.Applied applied = core.applyAnswered(batch, index, timestampMs, command.command());
                Check.that(applied != null && applied.result() != null && applied.answer() != null,
                        "core returned no result at index " + index);
                // The answer is what a retry gets back; watches get the whole result, below.
                batch.put(Space.REQUESTS, requestKey(id), encodeRecord(index, applied.answer()));
                batch.put(Space.REQUESTS_BY_INDEX, requestIndexKey(index, i), id);
                outcomes.add(new Outcome(index, applied.answer()));
                results[i] = applied.result();
            }
            long prunedThrough = pruneRequests(batch, index, state.requestsPrunedThroughIndex());
            next = new AppliedState(term, index, timestampMs, prunedThrough);
            batch.put(Space.META, AppliedState.KEY, next.encode());
            batch.commit();
        }
        applied = next;
        updateLastAppliedTermIndex(term, index);
        if (index >= preflushAt) {
            store.prepareCheckpoint();
            FileListSnapshotInfo latest = storage.latest();
            preflushAt = options.nextPreflush(latest == null ? 0 : latest.getIndex(), index);
        }
        for (int i = 0; i < results.length; i++) {
            if (results[i] != null) {
                notifyListeners(index, entry.commands().get(i).command(), results[i]);
            }
        }
        return outcomes;
    }

    /** A failing listener (a watch fan-out bug) must not stop the replica: its state is already committed. */
    private void notifyListeners(long index, byte[] command, byte[] result) {
        for (Listener listener : listeners) {
            try {
                listener.applied(index, command, result);
            } catch (RuntimeException e) {
                LOG.error("{}: apply listener {} failed at index {}", getId(), listener, index, e);
            }
        }
    }

    private List<Outcome> storedOutcomes(List<Command> commands, long index) {
        List<Outcome> outcomes = new ArrayList<>(commands.size());
        for (Command command : commands) {
            byte[] seen = store.get(Space.REQUESTS, requestKey(command.requestId().getBytes(StandardCharsets.UTF_8)));
            outcomes.add(seen == null ? new Outcome(index, new byte[0]) : decodeRecord(seen));
        }
        return outcomes;
    }

    /** Forgets the request ids first applied at indexes in (prunedThrough, index - retention]. */
    private long pruneRequests(Batch batch, long index, long prunedThrough) {
        long cutoff = index - options.requestRetentionEntries();
        if (cutoff <= prunedThrough) {
            return prunedThrough;
        }
        List<byte[]> indexKeys = new ArrayList<>();
        List<byte[]> ids = new ArrayList<>();
        try (Cursor cursor = batch.scan(Space.REQUESTS_BY_INDEX, requestIndexKey(prunedThrough + 1, 0),
                requestIndexKey(cutoff + 1, 0))) {
            for (var e = cursor.next(); e != null; e = cursor.next()) {
                indexKeys.add(e.key());
                ids.add(e.value());
            }
        }
        for (int i = 0; i < indexKeys.size(); i++) {
            batch.delete(Space.REQUESTS_BY_INDEX, indexKeys.get(i));
            batch.delete(Space.REQUESTS, requestKey(ids.get(i)));
        }
        return cutoff;
    }

    static byte[] requestKey(byte[] id) {
        byte[] key = new byte[1 + id.length];
        key[0] = REQUEST_PREFIX;
        System.arraycopy(id, 0, key, 1, id.length);
        return key;
    }

    static byte[] requestIndexKey(long index, int ordinal) {
        return ByteBuffer.allocate(1 + 8 + 4).put(REQUEST_INDEX_PREFIX).putLong(index).putInt(ordinal).array();
    }

    private static byte[] encodeRecord(long index, byte[] result) {
        return ByteBuffer.allocate(8 + result.length).putLong(index).put(result).array();
    }

    private static Outcome decodeRecord(byte[] record) {
        ByteBuffer in = ByteBuffer.wrap(record);
        long index = in.getLong();
        byte[] result = new byte[in.remaining()];
        in.get(result);
        return new Outcome(index, result);
    }

    @Override
    public void close() throws IOException {
        lockExclusive();
        try {
            if (store != null) {
                store.close();
                store = null;
            }
        } finally {
            storeLock.writeLock().unlock();
        }
        super.close();
    }
}
