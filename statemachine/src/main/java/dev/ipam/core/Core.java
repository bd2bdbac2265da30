package dev.ipam.core;

import dev.ipam.core.store.Batch;

/**
 * What the replicated log drives: a deterministic function of (state, index, timestamp, command).
 * The Ratis adapter frames entries, deduplicates request ids and records the applied index; it
 * treats commands and results as opaque bytes. Implemented by the IPAM core; tests use small fakes.
 */
public interface Core {
    /**
     * A cheap, stateless check of an encoded command, run on the leader before it is logged.
     * Returns null when the command is well-formed, else a message naming what is wrong.
     */
    String check(byte[] command);

    /**
     * Applies one committed command, reading and writing through {@code batch}. The same state and
     * arguments give the same writes and result on every replica: no clock, no randomness, no
     * hash-order iteration. Business rejections are encoded results; a throw means a broken invariant
     * and stops the node.
     *
     * @param index the Raft log index of the entry holding the command (the new resourceVersion)
     * @param timestampMs the time stamped by the leader into the entry
     * @return the encoded result, stored against the request id
     */
    byte[] apply(Batch batch, long index, long timestampMs, byte[] command);

    /**
     * A result and its answer: what a client gets back for the command, then or on a retry. The
     * result may carry more for watches (the IPAM core: every object the command changed); the
     * answer is what is stored against the request id and sent back through the log's reply.
     */
    record Applied(byte[] result, byte[] answer) {
    }

    /** {@link #apply} with the answer beside the result; by default the answer is the whole result. */
    default Applied applyAnswered(Batch batch, long index, long timestampMs, byte[] command) {
        byte[] result = apply(batch, index, timestampMs, command);
        return new Applied(result, result);
    }
}
