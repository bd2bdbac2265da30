package dev.ipam.core.store;

/**
 * The key spaces of the state (RocksDB column families; separate sorted maps in memory).
 * The byte is part of the on-disk format: never renumber, only add.
 */
public enum Space {
    /** Projects, pools, claims and allocations by key. */
    OBJECTS(1),
    /** Per pool: every maximal free buddy block, keyed by pool id, prefix length and address. */
    FREE(2),
    /** Secondary indexes (children of a pool, allocations by pool, ...). */
    INDEX(3),
    /** Request id to the encoded result of its first application (idempotency). */
    REQUESTS(4),
    /** Applied term and index, schema version, id counters. */
    META(5),
    /** Per-node usage counters of the prefix trie, kept only where a strategy needs them. */
    USAGE(6),
    /** The change history (audit trail): its entries, keyed by log index. */
    HISTORY(7),
    /** The audit trail's entries of each project, keyed by project and log index (keys only). */
    HISTORY_BY_PROJECT(8),
    /** The audit trail's events of each address block, keyed by block and log index. */
    HISTORY_BY_BLOCK(9),
    /** The request ids first applied at each log index, keyed by index (what pruning {@link #REQUESTS} walks). */
    REQUESTS_BY_INDEX(10);

    public final int id;

    Space(int id) {
        this.id = id;
    }

    /**
     * A kind of row an older layout kept in another space: the rows of {@code from} whose key starts
     * with {@code marker} belong in {@code to} since layout {@code layout}. The keys did not change,
     * only the space.
     */
    public record Moved(Space from, byte marker, Space to, int layout) {
    }

    /**
     * What {@link #current} moves. Each time, two kinds of rows written in about ascending key order
     * had shared one RocksDB column family, so every flushed file spanned the family's whole key range
     * and every compaction out of level 0 rewrote the family's base level; in families of their own,
     * new files land past the old ones.
     * <ul>
     *   <li>Layout 2 (session 15): the audit trail's per-block ('A') and per-project ('P') rows left
     *       {@link #HISTORY}, whose entries ('E') stay; the audit trail was the largest share of
     *       compaction on a loaded node.
     *   <li>Layout 3 (session 19): the request-id index rows ('i': log index, ordinal) left {@link
     *       #REQUESTS}, whose request-id rows ('r') stay. One node at c=64 (ops/bench-node.sh) rewrote
     *       the whole family at every compaction out of level 0: 44, 88, then 133 MB.
     * </ul>
     */
    private static final java.util.List<Moved> MOVED = java.util.List.of(
            new Moved(HISTORY, (byte) 'A', HISTORY_BY_BLOCK, 2),
            new Moved(HISTORY, (byte) 'P', HISTORY_BY_PROJECT, 2),
            new Moved(REQUESTS, (byte) 'i', REQUESTS_BY_INDEX, 3));

    /** The space a row read from an older export or database (layout 1 or 2) belongs in now ({@link #moved}). */
    public static Space current(Space space, byte[] key) {
        if (key.length > 0) {
            for (Moved moved : MOVED) {
                if (moved.from == space && moved.marker == key[0]) {
                    return moved.to;
                }
            }
        }
        return space;
    }

    /** The kinds of rows that older layouts kept elsewhere, oldest layout first. */
    public static java.util.List<Moved> moved() {
        return MOVED;
    }

    /** The column-family name used by RocksDB. */
    public String familyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
