package dev.ipam.server;

import dev.ipam.core.store.ReadView;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * This node's handle on the replicated state: what the HTTP API needs from the Raft layer and
 * nothing more. Raft-backed in ipamd ({@code dev.ipam.server.raft}); applied directly to a store in
 * single-process tests.
 */
public interface Replica {
    /**
     * Submits one encoded command under an idempotency key. Completes once the command is applied,
     * with the log index it was applied at and its encoded result; a retry with the same request id
     * completes with the first result and changes nothing. Completes exceptionally with
     * {@link Unavailable} when no quorum can be reached in time.
     */
    CompletableFuture<Applied> submit(String requestId, byte[] command);

    /**
     * Runs {@code read} against this node's state. When {@code linearizable}, the state is at least as
     * new as every write acknowledged before the call (ReadIndex, served on followers too); otherwise
     * it is whatever this node has applied ({@code resourceVersion=0}).
     */
    <T> CompletableFuture<T> read(boolean linearizable, Function<Snapshot, T> read);

    /**
     * Whether a long read should end now because this node is stopping or replacing its state (a
     * snapshot install), both of which wait for reads to finish.
     */
    default boolean readsShouldYield() {
        return false;
    }

    /** Registers a listener called on the apply thread after each entry commits, in log order. */
    void addApplyListener(ApplyListener listener);

    /** The outcome of one applied command. */
    record Applied(long index, byte[] result) {
    }

    /** A read-only view with the applied index it reflects (a list's resourceVersion). */
    record Snapshot(ReadView view, long appliedIndex) {
    }

    /** Called after an entry commits: every command of it with its index and encoded result. */
    interface ApplyListener {
        void applied(long index, byte[] command, byte[] result);
    }

    /** No leader or quorum within the request's time: the HTTP layer answers 503. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
