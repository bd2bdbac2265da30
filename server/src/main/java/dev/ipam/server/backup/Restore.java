package dev.ipam.server.backup;

import dev.ipam.core.store.Batch;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.Export;
import dev.ipam.core.store.Space;
import dev.ipam.core.store.Store;
import dev.ipam.ratis.AppliedState;
import dev.ipam.server.raft.RaftNode;
import dev.ipam.store.rocks.RocksStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Seeds the data directory of one node of a NEW cluster from a backup, before its first start.
 * Every node of the new cluster is seeded from the same file: each starts with the backup's state
 * as its Raft snapshot at the backup's log index, and the new cluster's log continues after it, so
 * resourceVersions keep growing from where the old cluster stood.
 *
 * <p>Two streaming passes, neither holding the state in memory: the whole file is checked first
 * (framing, length, SHA-256) with nothing changed; then the export is loaded, with its own checksum,
 * into a scratch database under the data dir that becomes the node's snapshot only when it is
 * complete. A data directory that holds anything is refused, so a live or old node can never be
 * overwritten.
 */
public final class Restore {
    /**
     * Bytes of keys and values written to the scratch database per batch: memory a restore holds.
     * The scratch database is thrown away unless the whole export loads, so slicing loses no atomicity.
     */
    public static final long RESTORE_BATCH_BYTES_MAX = 4L * 1024 * 1024;

    private Restore() {
    }

    /** What was restored. */
    public record Restored(long logIndex, String sha256, Path snapshotDir, long batches) {
    }

    /** The state-machine directory Ratis uses for {@code groupName} under a node's data dir. */
    static Path stateMachineDir(Path dataDir, String groupName) {
        return dataDir.resolve("raft").resolve(RaftNode.groupId(groupName).getUuid().toString()).resolve("sm");
    }

    public static Restored seed(Path backup, Path dataDir, String groupName) throws IOException {
        return seed(backup, dataDir, groupName, RESTORE_BATCH_BYTES_MAX, loadedBytes -> { });
    }

    /**
     * As {@link #seed(Path, Path, String)}, writing at most {@code batchBytesMax} per scratch batch and
     * telling {@code progress} the bytes of keys and values loaded after each batch (for long restores).
     */
    public static Restored seed(Path backup, Path dataDir, String groupName, long batchBytesMax, LongConsumer progress)
            throws IOException {
        BackupFile.Header header = BackupFile.verify(backup);
        refuseNonEmpty(dataDir);
        Path scratch = dataDir.resolve("restore.tmp");
        Path smDir = stateMachineDir(dataDir, groupName);
        Path snapshot = null;
        SlicedBatches sliced = null;
        try {
            Files.createDirectories(dataDir);
            try (RocksStore store = RocksStore.open(scratch); InputStream export = BackupFile.openExport(backup, header)) {
                try {
                    sliced = new SlicedBatches(store, batchBytesMax, progress);
                    Export.restore(export, sliced);
                } catch (Export.Corrupt e) {
                    throw new BackupFile.Invalid("backup " + backup + " holds a damaged export: " + e.getMessage());
                }
                AppliedState applied = AppliedState.decode(store.get(Space.META, AppliedState.KEY));
                if (applied.index() != header.logIndex()) {
                    throw new BackupFile.Invalid("backup " + backup + " says log index " + header.logIndex()
                            + " but its state was applied through " + applied.index());
                }
                // The node looks as if it had installed the old cluster's snapshot at (term, index):
                // its log continues at index + 1 and its terms after the old cluster's.
                snapshot = smDir.resolve("snapshot." + applied.term() + "_" + applied.index());
                Files.createDirectories(smDir);
                store.checkpoint(snapshot);
                markFormatted(smDir.getParent(), applied.term());
            }
        } catch (IOException | RuntimeException e) {
            // Leave the directory as empty as we found it: a half-seeded node must not start.
            RocksStore.deleteTree(dataDir.resolve("raft"));
            throw e;
        } finally {
            RocksStore.deleteTree(scratch);
        }
        return new Restored(header.logIndex(), header.sha256(), snapshot, sliced.commits);
    }

    /**
     * Ratis formats (empties) a group directory without {@code current/raft-meta} on first start,
     * which would delete the seeded snapshot; so write the metadata it writes when formatting: term
     * the snapshot's, no vote (a Java properties file, Ratis' own format for it).
     */
    private static void markFormatted(Path groupDir, long term) throws IOException {
        Path current = groupDir.resolve("current");
        Files.createDirectories(current);
        Files.writeString(current.resolve("raft-meta"), "term=" + term + "\nvotedFor=\n", java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void refuseNonEmpty(Path dataDir) throws IOException {
        if (!Files.exists(dataDir)) {
            return;
        }
        if (!Files.isDirectory(dataDir)) {
            throw new IOException("data-dir " + dataDir + " is not a directory");
        }
        try (Stream<Path> children = Files.list(dataDir)) {
            if (children.findAny().isPresent()) {
                throw new IOException("refusing to restore into data-dir " + dataDir + ": it is not empty (a live or "
                        + "old node's data); a backup seeds only the empty data directories of a new cluster");
            }
        }
    }

    /**
     * The scratch store as {@link Export#restore} sees it: its one batch is committed in slices of
     * {@code bytesMax}, so loading a large export never builds one huge write batch. Reads and the
     * final commit go to the store; only a whole, verified export is ever used (the caller deletes
     * the scratch directory otherwise).
     */
    static final class SlicedBatches implements Store {
        private final RocksStore store;
        private final long bytesMax;
        private final LongConsumer progress;
        /** Batches committed: how many slices the export was loaded in. */
        long commits;
        /** Bytes of keys and values committed so far. */
        long loadedBytes;

        SlicedBatches(RocksStore store, long bytesMax, LongConsumer progress) {
            this.store = store;
            this.bytesMax = bytesMax;
            this.progress = progress;
        }

        @Override
        public Batch batch() {
            return new Batch() {
                private Batch slice = store.batch();
                private long bytes;

                @Override
                public void put(Space space, byte[] key, byte[] value) {
                    slice.put(space, key, value);
                    bytes += key.length + value.length;
                    if (bytes >= bytesMax) {
                        commitSlice();
                        slice = store.batch();
                    }
                }

                @Override
                public void delete(Space space, byte[] key) {
                    throw new UnsupportedOperationException("a restore only adds entries");
                }

                @Override
                public void commit() {
                    commitSlice();
                }

                private void commitSlice() {
                    slice.commit();
                    commits++;
                    loadedBytes += bytes;
                    bytes = 0;
                    progress.accept(loadedBytes);
                }

                @Override
                public void close() {
                    slice.close();
                }

                @Override
                public byte[] get(Space space, byte[] key) {
                    throw new UnsupportedOperationException("a restore does not read through its batch");
                }

                @Override
                public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
                    throw new UnsupportedOperationException("a restore does not read through its batch");
                }

                @Override
                public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
                    throw new UnsupportedOperationException("a restore does not read through its batch");
                }

                @Override
                public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
                    throw new UnsupportedOperationException("a restore does not read through its batch");
                }
            };
        }

        @Override
        public void checkpoint(Path directory) {
            store.checkpoint(directory);
        }

        @Override
        public byte[] get(Space space, byte[] key) {
            return store.get(space, key);
        }

        @Override
        public Entry first(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return store.first(space, fromInclusive, toExclusive);
        }

        @Override
        public Entry last(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return store.last(space, fromInclusive, toExclusive);
        }

        @Override
        public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
            return store.scan(space, fromInclusive, toExclusive);
        }

        @Override
        public void close() {
            // the caller closes the store
        }
    }
}
