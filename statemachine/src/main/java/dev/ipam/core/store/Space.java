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
    /** The change history (audit trail), keyed by log index. */
    HISTORY(7);

    public final int id;

    Space(int id) {
        this.id = id;
    }

    /** The column-family name used by RocksDB. */
    public String familyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
