package dev.ipam.server;

import dev.ipam.core.Core;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Store;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * A {@link Replica} without Raft: every command is applied straight to a {@link Store} through the
 * {@link Core}, one at a time on a single thread, with a log index counted here and the time of the
 * given clock. Reads run on the same thread, so each sees one consistent state with its index. For
 * tests and single-process tooling; ipamd uses the Ratis-backed replica.
 */
public final class DirectReplica implements Replica, AutoCloseable {
    /** Request ids remembered for deduplication; the oldest is forgotten first. */
    public static final int REQUEST_IDS_MAX = 100_000;

    private final Store store;
    private final Core core;
    private final Clock clock;
    private final ExecutorService thread;
    private final List<ApplyListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Applied> results = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Applied> eldest) {
            return size() > REQUEST_IDS_MAX;
        }
    };
    private long index;

    /** Starts after {@code appliedIndex} (0 for an empty store). */
    public DirectReplica(Store store, Core core, Clock clock, long appliedIndex) {
        this.store = store;
        this.core = core;
        this.clock = clock;
        this.index = appliedIndex;
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "ipam-direct-apply");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletableFuture<Applied> submit(String requestId, byte[] command) {
        String problem = core.check(command);
        if (problem != null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
        }
        return onThread(() -> {
            Applied earlier = results.get(requestId);
            if (earlier != null) {
                return earlier;
            }
            long at = ++index;
            byte[] result;
            try (Batch batch = store.batch()) {
                result = core.apply(batch, at, clock.millis(), command);
                batch.commit();
            }
            Applied applied = new Applied(at, result);
            results.put(requestId, applied);
            for (ApplyListener listener : listeners) {
                listener.applied(at, command, result);
            }
            return applied;
        });
    }

    @Override
    public <T> CompletableFuture<T> read(boolean linearizable, Function<Snapshot, T> read) {
        return onThread(() -> read.apply(new Snapshot(store, index)));
    }

    @Override
    public void addApplyListener(ApplyListener listener) {
        listeners.add(listener);
    }

    /** The index of the last applied command. */
    public long appliedIndex() {
        return onThread(() -> index).join();
    }

    private <T> CompletableFuture<T> onThread(java.util.function.Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, thread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new Unavailable("the replica is closed"));
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
