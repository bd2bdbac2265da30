package dev.ipam.core;

import dev.ipam.core.model.ChangeType;
import dev.ipam.core.model.IPAllocation;
import dev.ipam.core.model.Resource;
import dev.ipam.core.store.BigEndian;
import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.ReadView;
import dev.ipam.core.store.Space;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The audit trail, kept in the replicated state ({@link Space#HISTORY}) and written by apply in the
 * same batch as the change it records, so every replica answers the same: who (actor and address),
 * what (command kind and object), when (the entry's timestamp and log index) and the result code of
 * every accepted change; and, per address block, which claim and allocation held it from which index
 * to which. Refused commands change nothing and are not recorded here (the server logs them).
 *
 * <p>Keys (big-endian numbers), one space per ordered stream of keys (see {@link Space#current}):
 * <pre>
 *   HISTORY            'E' index(8) seq(4)              -> entry (version byte, then fields; see {@link Record})
 *   HISTORY_BY_PROJECT 'P' project 0x00 index(8) seq(4) -> empty: the entries of one project, in log order
 *   HISTORY_BY_BLOCK   'A' family(1) address(16) prefix(1) index(8) seq(4) -> block event (held or released)
 * </pre>
 * Retention: entries older than {@link #RETAINED_INDEXES} log indexes are pruned, at most {@link
 * #PRUNED_PER_APPLY_MAX} per accepted change, oldest first: a deterministic function of the state
 * and the index, the same on every replica.
 *
 * <p>The actor of a command may carry the caller's address: {@code user + "\n" + address}
 * ({@link #actor}); the user alone is also accepted.
 */
public final class Audit {
    /** How many log indexes of history are kept. */
    public static final long RETAINED_INDEXES = 1_000_000;
    /** The most old entries one accepted change prunes (each adds one, so the trail stays bounded). */
    public static final int PRUNED_PER_APPLY_MAX = 8;
    /** The most entries one listing returns. */
    public static final int LIST_LIMIT_MAX = 1000;
    /** The most block events one address lookup returns. */
    public static final int ADDRESS_EVENTS_MAX = 1000;
    static final byte VERSION = 1;

    private Audit() {
    }

    /** One audited change. {@code blocks} lists the address blocks it bound or released. */
    public record Record(long index, int seq, long timestampMs, String user, String address, String command,
                         String kind, String project, String namespace, String name, int code, List<Block> blocks) {
    }

    /**
     * A block event: {@code held} true when the allocation was bound to the block, false when it was
     * released; the holder is the allocation's project, namespace and claim.
     */
    public record Block(String cidr, String poolProject, String pool, String holderProject, String namespace,
                        String claim, String allocation, boolean held, long index, long timestampMs) {
    }

    /** The actor string a command carries for {@code user} calling from {@code address}. */
    public static String actor(String user, String address) {
        return address == null || address.isEmpty() ? user : user + "\n" + address;
    }

    /** A command's class name as the trail records it (getSimpleName on every command was 0.3% of apply). */
    private static final ClassValue<String> COMMAND_NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return type.getSimpleName();
        }
    };

    /** Records an accepted command; called by apply in the command's batch. */
    static void record(Context context, Command command, Result result) {
        Batch batch = context.batch;
        long index = context.index;
        long timestampMs = context.timestampMs;
        if (!result.ok() || result.changes().isEmpty()) {
            return;
        }
        Position at = Position.read(batch, index);
        int seq = at.index() == index ? at.seq() + 1 : 0;
        String actor = command.actor();
        int nl = actor.lastIndexOf('\n');
        String user = nl < 0 ? actor : actor.substring(0, nl);
        String address = nl < 0 ? "" : actor.substring(nl + 1);
        Resource object = result.object() != null ? result.object() : result.changes().get(0).object();
        List<Block> blocks = new ArrayList<>();
        for (Result.Change change : result.changes()) {
            if (change.object() instanceof IPAllocation a && change.type() != ChangeType.MODIFIED
                    && a.status() != null && a.status().allocatedCIDR() != null) {
                String poolProject = a.spec().poolRef().projectRef() != null ? a.spec().poolRef().projectRef().name() : a.project();
                blocks.add(new Block(a.status().allocatedCIDR(), poolProject, a.spec().poolRef().name(), a.project(),
                        a.metadata().namespace() == null ? "" : a.metadata().namespace(),
                        a.status().claimRef() == null ? "" : a.status().claimRef().name(), a.metadata().name(),
                        change.type() == ChangeType.ADDED, index, timestampMs));
            }
        }
        String project = object.project().isEmpty() ? object.metadata().name() : object.project();
        Record record = new Record(index, seq, timestampMs, user, address, COMMAND_NAMES.get(command.getClass()),
                object.kind().name(), project, object.metadata().namespace() == null ? "" : object.metadata().namespace(),
                object.metadata().name(), result.code(), blocks);
        // A block event's row holds the same bytes the entry embeds: encoded once, written twice.
        byte[][] events = encodeBlocks(blocks);
        batch.put(Space.HISTORY, entryKey(index, seq), encode(record, events));
        batch.put(Space.HISTORY_BY_PROJECT, projectKey(project, index, seq), new byte[0]);
        for (int i = 0; i < events.length; i++) {
            batch.put(Space.HISTORY_BY_BLOCK, blockKey(context.block(blocks.get(i).cidr()), index, seq), events[i]);
        }
        batch.put(Space.META, Keys.META_AUDIT, new Position(index, seq, prune(batch, index, at.pruneFrom())).encode());
    }

    /**
     * Where the trail stands, in one META row ({@link Keys#META_AUDIT}): the index and seq of the
     * newest entry and the index pruning resumes from, so neither a new entry nor pruning has to
     * search HISTORY (a search from the start would walk every pruned key RocksDB still holds as a
     * tombstone). A state written before the row existed has none: the first record after an upgrade
     * finds its seq and prune start by the old searches, the same on every replica.
     */
    private record Position(long index, int seq, long pruneFrom) {
        static Position read(Batch batch, long index) {
            byte[] value = batch.get(Space.META, Keys.META_AUDIT);
            if (value != null) {
                return new Position(BigEndian.getLong(value, 0), BigEndian.getInt(value, 8), BigEndian.getLong(value, 12));
            }
            Entry last = batch.last(Space.HISTORY, entryKey(index, 0), entryKey(index + 1, 0));
            return new Position(index, last == null ? -1 : ByteBuffer.wrap(last.key()).getInt(9), 0);
        }

        byte[] encode() {
            byte[] out = new byte[20];
            BigEndian.putLong(out, 0, index);
            BigEndian.putInt(out, 8, seq);
            BigEndian.putLong(out, 12, pruneFrom);
            return out;
        }
    }

    /** Prunes entries below {@code index - RETAINED_INDEXES}, at most {@link #PRUNED_PER_APPLY_MAX}; returns where the next pruning starts. */
    private static long prune(Batch batch, long index, long pruneFrom) {
        long cutoff = index - RETAINED_INDEXES;
        if (cutoff <= pruneFrom) {
            return pruneFrom;
        }
        List<Entry> old = new ArrayList<>();
        try (Cursor cursor = batch.scan(Space.HISTORY, entryKey(pruneFrom, 0), entryKey(cutoff, 0))) {
            for (Entry e = cursor.next(); e != null && old.size() < PRUNED_PER_APPLY_MAX; e = cursor.next()) {
                old.add(e);
            }
        }
        for (Entry e : old) {
            Record r = decode(e.key(), e.value());
            batch.delete(Space.HISTORY, e.key());
            batch.delete(Space.HISTORY_BY_PROJECT, projectKey(r.project(), r.index(), r.seq()));
            for (Block block : r.blocks()) {
                batch.delete(Space.HISTORY_BY_BLOCK, blockKey(block.cidr(), r.index(), r.seq()));
            }
        }
        // A full page may have stopped inside an index: resume at that index (its seqs left are next).
        return old.size() < PRUNED_PER_APPLY_MAX ? cutoff : ByteBuffer.wrap(old.get(old.size() - 1).key()).getLong(1);
    }

    /** A page of a project's audit trail, oldest first, after {@code afterIndex}/{@code afterSeq} (exclusive). */
    public static List<Record> list(ReadView view, String project, int limit, long afterIndex, int afterSeq) {
        int max = Math.max(1, Math.min(limit, LIST_LIMIT_MAX));
        List<Record> page = new ArrayList<>();
        byte[] from = afterIndex < 0 ? projectKey(project, 0, 0) : after(projectKey(project, afterIndex, afterSeq));
        byte[] to = projectKey(project, Long.MAX_VALUE, -1);
        try (Cursor cursor = view.scan(Space.HISTORY_BY_PROJECT, from, to)) {
            for (Entry e = cursor.next(); e != null && page.size() < max; e = cursor.next()) {
                ByteBuffer key = ByteBuffer.wrap(e.key());
                long index = key.getLong(e.key().length - 12);
                int seq = key.getInt(e.key().length - 4);
                byte[] value = view.get(Space.HISTORY, entryKey(index, seq));
                if (value != null) {
                    page.add(decode(entryKey(index, seq), value));
                }
            }
        }
        return page;
    }

    /** Every retained event of every block containing {@code ip}, oldest first. */
    public static List<Block> addressHistory(ReadView view, String ip) {
        byte[] address = parseAddress(ip);
        int bits = address.length == 4 ? 32 : 128;
        List<Block> events = new ArrayList<>();
        for (int prefix = 0; prefix <= bits && events.size() < ADDRESS_EVENTS_MAX; prefix++) {
            byte[] start = mask(address, prefix);
            byte[] key = blockPrefix(start, prefix);
            try (Cursor cursor = view.scan(Space.HISTORY_BY_BLOCK, key, prefixEnd(key))) {
                for (Entry e = cursor.next(); e != null && events.size() < ADDRESS_EVENTS_MAX; e = cursor.next()) {
                    events.add(decodeBlock(e.value()));
                }
            }
        }
        events.sort(java.util.Comparator.comparingLong(Block::index));
        return events;
    }

    // ---- keys and encodings

    static byte[] entryKey(long index, int seq) {
        byte[] key = new byte[13];
        key[0] = 'E';
        BigEndian.putLong(key, 1, index);
        BigEndian.putInt(key, 9, seq);
        return key;
    }

    static byte[] projectKey(String project, long index, int seq) {
        // written in place: through a ByteBuffer (and a separate array for the name) this was 1.5% of the
        // in-memory benchmark, every claim and release
        byte[] name = project.getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[2 + name.length + 12];
        key[0] = 'P';
        System.arraycopy(name, 0, key, 1, name.length);
        BigEndian.putLong(key, 2 + name.length, index);
        BigEndian.putInt(key, 10 + name.length, seq);
        return key;
    }

    static byte[] blockKey(String cidr, long index, int seq) {
        return blockKey(Context.storedBlock(cidr), index, seq);
    }

    static byte[] blockKey(dev.ipam.core.alloc.Block block, long index, int seq) {
        // the block's prefix, then index and seq, written in place
        byte[] key = new byte[BLOCK_PREFIX_BYTES + 12];
        boolean v4 = block.family() == dev.ipam.core.model.IPFamily.IPv4;
        if (v4) {
            BigEndian.putInt(key, 2, (int) block.lo());
        } else {
            BigEndian.putLong(key, 2, block.hi());
            BigEndian.putLong(key, 10, block.lo());
        }
        blockHead(key, v4, block.length());
        BigEndian.putLong(key, BLOCK_PREFIX_BYTES, index);
        BigEndian.putInt(key, BLOCK_PREFIX_BYTES + 8, seq);
        return key;
    }

    /** A block prefix: 'A', family (4 or 6), the address padded to 16 bytes, the prefix length. */
    private static final int BLOCK_PREFIX_BYTES = 19;

    /** Writes a block prefix's marker, family and length around the address bytes 2-17 of key. */
    private static void blockHead(byte[] key, boolean v4, int prefix) {
        key[0] = 'A';
        key[1] = (byte) (v4 ? 4 : 6);
        key[18] = (byte) prefix;
    }

    static byte[] blockPrefix(byte[] start, int prefix) {
        byte[] key = new byte[BLOCK_PREFIX_BYTES];
        System.arraycopy(start, 0, key, 2, start.length);
        blockHead(key, start.length == 4, prefix);
        return key;
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int bit = prefix; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return masked;
    }

    /** Checks an IP literal; throws IllegalArgumentException naming what is wrong. */
    public static void parseAddressChecked(String ip) {
        parseAddress(ip);
    }

    /** An IP literal's bytes (4 or 16); never resolves a name. */
    static byte[] parseAddress(String ip) {
        if (ip == null || ip.isEmpty() || ip.length() > 45 || !ip.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
        if (ip.indexOf(':') < 0 && !ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip);
        }
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
    }

    /** The smallest key after {@code key} (keys of one kind have one length: no key lies between). */
    private static byte[] after(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /** The smallest key greater than every key starting with {@code prefix}. */
    private static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        throw new IllegalArgumentException("no key follows an all-0xff prefix");
    }

    static byte[] encode(Record r) {
        return encode(r, encodeBlocks(r.blocks()));
    }

    private static byte[][] encodeBlocks(List<Block> blocks) {
        byte[][] events = new byte[blocks.size()][];
        for (int i = 0; i < events.length; i++) {
            events[i] = encodeBlock(blocks.get(i));
        }
        return events;
    }

    /** The entry, with its blocks' events already encoded ({@link #encodeBlock}, in the record's order). */
    private static byte[] encode(Record r, byte[][] events) {
        Out out = Out.scratch();
        out.u8(VERSION);
        out.i64(r.timestampMs());
        out.utf(r.user());
        out.utf(r.address());
        out.utf(r.command());
        out.utf(r.kind());
        out.utf(r.project());
        out.utf(r.namespace());
        out.utf(r.name());
        out.i32(r.code());
        out.i32(events.length);
        for (byte[] event : events) {
            out.raw(event);
        }
        return out.copy();
    }

    static Record decode(byte[] key, byte[] value) {
        try {
            ByteBuffer k = ByteBuffer.wrap(key);
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(value));
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("audit entry of unknown format version " + version);
            }
            long timestampMs = in.readLong();
            String user = in.readUTF();
            String address = in.readUTF();
            String command = in.readUTF();
            String kind = in.readUTF();
            String project = in.readUTF();
            String namespace = in.readUTF();
            String name = in.readUTF();
            int code = in.readInt();
            int count = in.readInt();
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                blocks.add(readBlock(in));
            }
            return new Record(k.getLong(1), k.getInt(9), timestampMs, user, address, command, kind, project, namespace,
                    name, code, blocks);
        } catch (IOException e) {
            throw new IllegalStateException("corrupt audit entry", e);
        }
    }

    static byte[] encodeBlock(Block b) {
        Out out = Out.scratch();
        writeBlock(out, b);
        return out.copy();
    }

    private static void writeBlock(Out out, Block b) {
        out.u8(VERSION);
        out.utf(b.cidr());
        out.utf(b.poolProject());
        out.utf(b.pool());
        out.utf(b.holderProject());
        out.utf(b.namespace());
        out.utf(b.claim());
        out.utf(b.allocation());
        out.u8(b.held() ? 1 : 0);
        out.i64(b.index());
        out.i64(b.timestampMs());
    }

    /**
     * Writes exactly what {@link DataOutputStream} writes (big-endian numbers, writeUTF's modified
     * UTF-8 with a 2-byte length), into one growing array instead of a stream pair per record.
     */
    private static final class Out {
        /** The most a thread's scratch keeps between records (one huge record may grow it further, once). */
        private static final int SCRATCH_BYTES_MAX = 16 * 1024;
        private static final ThreadLocal<Out> SCRATCH = ThreadLocal.withInitial(Out::new);
        private byte[] bytes = new byte[1024];
        private int size;

        /** This thread's writer, emptied: its array never escapes ({@link #copy}). */
        static Out scratch() {
            Out out = SCRATCH.get();
            out.size = 0;
            if (out.bytes.length > SCRATCH_BYTES_MAX) {
                out.bytes = new byte[1024];
            }
            return out;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void u8(int value) {
            ensure(1);
            bytes[size++] = (byte) value;
        }

        void i32(int value) {
            ensure(4);
            BigEndian.putInt(bytes, size, value);
            size += 4;
        }

        void raw(byte[] value) {
            ensure(value.length);
            System.arraycopy(value, 0, bytes, size, value.length);
            size += value.length;
        }

        void i64(long value) {
            ensure(8);
            BigEndian.putLong(bytes, size, value);
            size += 8;
        }

        /**
         * One pass over the string: room for the worst case (3 bytes a char), the bytes, then the
         * 2-byte length in front (two passes, one to count, were 2.5% of the in-memory benchmark).
         */
        void utf(String s) {
            int length = s.length();
            ensure(2 + 3 * length);
            int start = size;
            int at = start + 2;
            byte[] out = bytes;
            for (int i = 0; i < length; i++) {
                char c = s.charAt(i);
                if (c >= 0x0001 && c <= 0x007F) {
                    out[at++] = (byte) c;
                } else if (c <= 0x07FF) {
                    out[at++] = (byte) (0xC0 | ((c >> 6) & 0x1F));
                    out[at++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    out[at++] = (byte) (0xE0 | ((c >> 12) & 0x0F));
                    out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    out[at++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            int encoded = at - start - 2;
            if (encoded > 65535) {
                throw new UncheckedIOException(new java.io.UTFDataFormatException("encoded string too long: "
                        + encoded + " bytes"));
            }
            out[start] = (byte) (encoded >>> 8);
            out[start + 1] = (byte) encoded;
            size = at;
        }

        /** What was written, in an array of its own. */
        byte[] copy() {
            return Arrays.copyOf(bytes, size);
        }
    }

    static Block decodeBlock(byte[] value) {
        try {
            return readBlock(new DataInputStream(new java.io.ByteArrayInputStream(value)));
        } catch (IOException e) {
            throw new IllegalStateException("corrupt audit block event", e);
        }
    }

    private static Block readBlock(DataInputStream in) throws IOException {
        int version = in.readByte();
        if (version != VERSION) {
            throw new IllegalStateException("audit block event of unknown format version " + version);
        }
        return new Block(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(),
                in.readBoolean(), in.readLong(), in.readLong());
    }
}
