package dev.ipam.ratis;

import java.nio.ByteBuffer;

/**
 * What the state machine records about its own progress, in {@code Space.META} under
 * {@link #KEY}, written in the same batch as the state it describes. Version 1:
 * {@code version:u8 term:i64 index:i64 timestampMs:i64 requestsPrunedThroughIndex:i64}.
 *
 * @param timestampMs the last entry time applied; entry times never go backwards across leaders
 * @param requestsPrunedThroughIndex request ids first applied at or below this index are forgotten
 */
public record AppliedState(long term, long index, long timestampMs, long requestsPrunedThroughIndex) {
    public static final byte[] KEY = "raft.applied".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    public static final AppliedState EMPTY = new AppliedState(0, 0, 0, 0);
    private static final byte VERSION = 1;
    private static final int BYTES = 1 + 4 * 8;

    public byte[] encode() {
        return ByteBuffer.allocate(BYTES).put(VERSION).putLong(term).putLong(index).putLong(timestampMs)
                .putLong(requestsPrunedThroughIndex).array();
    }

    /** Decodes the stored value; null (a fresh store) is {@link #EMPTY}. */
    public static AppliedState decode(byte[] bytes) {
        if (bytes == null) {
            return EMPTY;
        }
        if (bytes.length != BYTES || bytes[0] != VERSION) {
            throw new IllegalStateException("corrupt applied state: bytes=" + bytes.length
                    + " version=" + (bytes.length > 0 ? bytes[0] : -1));
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 1, BYTES - 1);
        return new AppliedState(in.getLong(), in.getLong(), in.getLong(), in.getLong());
    }

    public AppliedState advance(long newTerm, long newIndex) {
        return new AppliedState(newTerm, newIndex, timestampMs, requestsPrunedThroughIndex);
    }
}
