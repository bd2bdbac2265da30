package dev.ipam.core;

import dev.ipam.core.store.Batch;

/**
 * The IPAM business logic behind {@link Core}: decodes a command, decides from the state read
 * through the batch, writes the changes into the batch and returns the encoded {@link Result}.
 */
public final class Ipam implements Core {
    public Ipam() {
    }

    @Override
    public String check(byte[] command) {
        try {
            Codec.decodeCommand(command);
            return null;
        } catch (Codec.Malformed e) {
            return "malformed command: " + e.getMessage();
        }
    }

    @Override
    public byte[] apply(Batch batch, long index, long timestampMs, byte[] command) {
        return Codec.encodeResult(execute(batch, index, timestampMs, Codec.decodeCommand(command)));
    }

    /** The typed form of {@link #apply}: same state changes, the result as a record. */
    public Result execute(Batch batch, long index, long timestampMs, Command command) {
        throw new UnsupportedOperationException("not yet");
    }
}
