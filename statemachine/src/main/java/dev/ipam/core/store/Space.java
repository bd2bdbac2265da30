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
            if (key[0] == 'P') {
                return HISTORY_BY_PROJECT;
            }
            if (key[0] == 'A') {
                return HISTORY_BY_BLOCK;
            }
        }
        return space;
    }

    /** The column-family name used by RocksDB. */
    public String familyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
