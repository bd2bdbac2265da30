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
    HISTORY_BY_BLOCK(9);

    public final int id;

    Space(int id) {
        this.id = id;
    }

    /**
     * The space a row of a layout-1 state (read from an older export or database) belongs in now.
     * Layout 1 kept the audit trail's per-project rows ('P' keys) and per-block rows ('A' keys) in
     * {@link #HISTORY} with its entries ('E' keys). Each of the three is written in about ascending key
     * order, but interleaved in one RocksDB column family every flushed file spanned the family's whole
     * key range, so every compaction out of level 0 rewrote the family's base level; the audit trail
     * was the largest share of compaction on a loaded node. In families of their own, new files land
     * past the old ones. The keys did not change, only the space.
     */
    public static Space current(Space space, byte[] key) {
        if (space == HISTORY && key.length > 0) {
            for (int i = 0; i < LAYOUT_1_MARKERS.length; i++) {
                if (key[0] == LAYOUT_1_MARKERS[i]) {
                    return LAYOUT_1_MOVED_TO[i];
                }
            }
        }
        return space;
    }

    /** The first key bytes of the HISTORY rows layout 1 had and {@link #current} moves, and where to. */
    private static final byte[] LAYOUT_1_MARKERS = {'A', 'P'};
    private static final Space[] LAYOUT_1_MOVED_TO = {HISTORY_BY_BLOCK, HISTORY_BY_PROJECT};

    /** The first key byte of each kind of HISTORY row that {@link #current} moves (a store's scan starts). */
    public static byte[] layout1Markers() {
        return LAYOUT_1_MARKERS.clone();
    }

    /** The column-family name used by RocksDB. */
    public String familyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
