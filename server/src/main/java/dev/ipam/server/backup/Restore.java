package dev.ipam.server.backup;

import dev.ipam.core.store.Export;
import dev.ipam.core.store.Space;
import dev.ipam.ratis.AppliedState;
import dev.ipam.server.raft.RaftNode;
import dev.ipam.store.rocks.NativeLibrary;
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
        Export.Loaded loaded;
        try {
            Files.createDirectories(dataDir);
            try (RocksStore store = RocksStore.open(scratch); InputStream export = BackupFile.openExport(backup, header)) {
                try {
                    // A scratch store, thrown away below unless the whole export loads: slices lose no atomicity.
                    loaded = Export.restore(export, store, batchBytesMax, progress);
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
        return new Restored(header.logIndex(), header.sha256(), snapshot, loaded.batches());
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
            // The node's unpacked RocksDB library (NativeLibrary) is not data.
            if (children.anyMatch(child -> !child.getFileName().toString().equals(NativeLibrary.DIRECTORY))) {
                throw new IOException("refusing to restore into data-dir " + dataDir + ": it is not empty (a live or "
                        + "old node's data); a backup seeds only the empty data directories of a new cluster");
            }
        }
    }
}
