package dev.ipam.ratis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a Raft entry and of its reply. Version 1, big-endian:
 *
 * <pre>
 * entry := version:u8(=1) timestampMs:i64 count:i32 command{count}
 * command := requestIdLength:u16 requestId:utf8 commandLength:i32 command:bytes
 * reply := version:u8(=1) count:i32 outcome{count}
 * outcome := index:i64 resultLength:i32 result:bytes
 * </pre>
 *
 * A client sends an entry with timestampMs 0; the leader stamps its clock into it in
 * {@code startTransaction} before it is logged, so every replica applies the same time. An outcome's
 * index is the log index at which the request id was first applied (a retry reports the original).
 */
public final class EntryFormat {
    public static final byte VERSION = 1;
    /** Where the leader stamps the timestamp: right after the version byte. */
    static final int TIMESTAMP_OFFSET = 1;
    public static final int COMMANDS_PER_ENTRY_MAX = 65_536;
    public static final int REQUEST_ID_BYTES_MAX = 255;
    /** Below the Ratis appender's 4 MiB byte limit, leaving room for the envelope. */
    public static final int ENTRY_BYTES_MAX = 3 * 1024 * 1024;
    static final int HEADER_BYTES = 1 + 8 + 4;
    static final int COMMAND_OVERHEAD_BYTES = 2 + 4;

    private EntryFormat() {
    }

    /** One command of an entry under its idempotency key. */
    public record Command(String requestId, byte[] command) {
        /** Encoded size inside an entry. */
        public int encodedBytes() {
            return COMMAND_OVERHEAD_BYTES + requestId.getBytes(StandardCharsets.UTF_8).length + command.length;
        }
    }

    /** A decoded entry. */
    public record Entry(long timestampMs, List<Command> commands) {
    }

    /** The result of one command and the index it was first applied at. */
    public record Outcome(long index, byte[] result) {
    }

    /** Thrown by decoders for bytes that are not a valid entry or reply. */
    public static final class MalformedException extends RuntimeException {
        public MalformedException(String message) {
            super(message);
        }
    }

    public static byte[] encodeEntry(long timestampMs, List<Command> commands) {
        int size = HEADER_BYTES;
        List<byte[]> ids = new ArrayList<>(commands.size());
        for (Command command : commands) {
            byte[] id = command.requestId().getBytes(StandardCharsets.UTF_8);
            if (id.length == 0 || id.length > REQUEST_ID_BYTES_MAX) {
                throw new IllegalArgumentException("requestId bytes=" + id.length + " must be 1.." + REQUEST_ID_BYTES_MAX);
            }
            ids.add(id);
            size += COMMAND_OVERHEAD_BYTES + id.length + command.command().length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION).putLong(timestampMs).putInt(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            out.putShort((short) ids.get(i).length).put(ids.get(i));
            byte[] command = commands.get(i).command();
            out.putInt(command.length).put(command);
        }
        return out.array();
    }

    /** Decodes an entry, checking every length against the limits and the buffer. */
    public static Entry decodeEntry(byte[] bytes) {
        if (bytes.length > ENTRY_BYTES_MAX) {
            throw new MalformedException("entry bytes=" + bytes.length + " exceeds " + ENTRY_BYTES_MAX);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.remaining() < HEADER_BYTES) {
            throw new MalformedException("entry bytes=" + bytes.length + " shorter than its header");
        }
        byte version = in.get();
        if (version != VERSION) {
            throw new MalformedException("entry version=" + version + ", expected " + VERSION);
        }
        long timestampMs = in.getLong();
        int count = in.getInt();
        if (count < 1 || count > COMMANDS_PER_ENTRY_MAX) {
            throw new MalformedException("entry count=" + count + " must be 1.." + COMMANDS_PER_ENTRY_MAX);
        }
        List<Command> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            need(in, 2, i);
            int idLength = Short.toUnsignedInt(in.getShort());
            if (idLength == 0 || idLength > REQUEST_ID_BYTES_MAX || idLength > in.remaining()) {
                throw new MalformedException("command " + i + ": requestId bytes=" + idLength + " invalid");
            }
            byte[] id = new byte[idLength];
            in.get(id);
            need(in, 4, i);
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new MalformedException("command " + i + ": bytes=" + length + " beyond the entry");
            }
            byte[] command = new byte[length];
            in.get(command);
            commands.add(new Command(new String(id, StandardCharsets.UTF_8), command));
        }
        if (in.hasRemaining()) {
            throw new MalformedException("entry has " + in.remaining() + " trailing bytes");
        }
        return new Entry(timestampMs, commands);
    }

    private static void need(ByteBuffer in, int bytes, int command) {
        if (in.remaining() < bytes) {
            throw new MalformedException("command " + command + ": truncated");
        }
    }

    /** A copy of {@code entry} with the leader's timestamp stamped in. */
    static byte[] stamp(byte[] entry, long timestampMs) {
        byte[] copy = entry.clone();
        ByteBuffer.wrap(copy).putLong(TIMESTAMP_OFFSET, timestampMs);
        return copy;
    }

    public static byte[] encodeReply(List<Outcome> outcomes) {
        int size = 1 + 4;
        for (Outcome outcome : outcomes) {
            size += 8 + 4 + outcome.result().length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION).putInt(outcomes.size());
        for (Outcome outcome : outcomes) {
            out.putLong(outcome.index()).putInt(outcome.result().length).put(outcome.result());
        }
        return out.array();
    }

    public static List<Outcome> decodeReply(ByteBuffer in) {
        if (in.remaining() < 5 || in.get() != VERSION) {
            throw new MalformedException("reply is not version " + VERSION);
        }
        int count = in.getInt();
        if (count < 0 || count > COMMANDS_PER_ENTRY_MAX) {
            throw new MalformedException("reply count=" + count);
        }
        List<Outcome> outcomes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long index = in.getLong();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new MalformedException("reply outcome " + i + " bytes=" + length);
            }
            byte[] result = new byte[length];
            in.get(result);
            outcomes.add(new Outcome(index, result));
        }
        return outcomes;
    }
}
