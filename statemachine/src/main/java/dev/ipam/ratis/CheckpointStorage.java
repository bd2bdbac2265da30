package dev.ipam.ratis;

import dev.ipam.store.rocks.RocksStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * Snapshots as RocksDB checkpoints in the Ratis state-machine directory, one directory each:
 * {@code sm/snapshot.<term>_<index>/}. A snapshot is written to {@code sm/snapshot.tmp} and renamed,
 * so a directory with the final name is complete. Ratis streams a snapshot's files to a lagging
 * follower and then replaces the follower's whole {@code sm} directory with what it received; the
 * live database therefore lives elsewhere and is rebuilt from the newest checkpoint here.
 */
final class CheckpointStorage implements StateMachineStorage {
    /** Snapshots kept: the newest may be mid-transfer to a follower when the next one is taken. */
    static final int SNAPSHOTS_RETAINED = 2;
    private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
    /** Ratis writes a digest beside every file it receives; not part of the checkpoint. */
    private static final String DIGEST_SUFFIX = ".md5";

    private volatile Path stateMachineDir;
    private volatile FileListSnapshotInfo latest;

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
        stateMachineDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
        Files.createDirectories(stateMachineDir);
        latest = scan();
    }

    /** Re-reads the directory (after Ratis replaced it with an installed snapshot). */
    FileListSnapshotInfo reload() throws IOException {
        Files.createDirectories(stateMachineDir);
        latest = scan();
        return latest;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latest;
    }

    FileListSnapshotInfo latest() {
        return latest;
    }

    @Override
    public void format() {
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        prune();
    }

    /** Checkpoints {@code store} as the snapshot at {@code termIndex} and drops the oldest ones. */
    FileListSnapshotInfo take(RocksStore store, TermIndex termIndex) throws IOException {
        Path tmp = stateMachineDir.resolve("snapshot.tmp");
        RocksStore.deleteTree(tmp);
        store.checkpoint(tmp);
        Path target = stateMachineDir.resolve(name(termIndex));
        if (Files.exists(target)) {
            RocksStore.deleteTree(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        latest = scan();
        prune();
        return latest;
    }

    /** Replaces {@code liveDir} with a copy of the snapshot's files (without Ratis' digests). */
    static void copyTo(FileListSnapshotInfo snapshot, Path liveDir) throws IOException {
        RocksStore.deleteTree(liveDir);
        Files.createDirectories(liveDir);
        for (FileInfo file : snapshot.getFiles()) {
            Files.copy(file.getPath(), liveDir.resolve(file.getPath().getFileName()));
        }
    }

    private static String name(TermIndex termIndex) {
        return "snapshot." + termIndex.getTerm() + "_" + termIndex.getIndex();
    }

    private List<Path> snapshotDirs() throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> children = Files.list(stateMachineDir)) {
            children.filter(p -> Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches())
                    .forEach(dirs::add);
        }
        dirs.sort(Comparator.comparingLong(CheckpointStorage::indexOf).thenComparingLong(CheckpointStorage::termOf));
        return dirs;
    }

    private static long indexOf(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        Check.that(m.matches(), "snapshot dir name " + dir);
        return Long.parseLong(m.group(2));
    }

    private static long termOf(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        Check.that(m.matches(), "snapshot dir name " + dir);
        return Long.parseLong(m.group(1));
    }

    private FileListSnapshotInfo scan() throws IOException {
        List<Path> dirs = snapshotDirs();
        if (dirs.isEmpty()) {
            return null;
        }
        Path newest = dirs.get(dirs.size() - 1);
        List<FileInfo> files = new ArrayList<>();
        try (Stream<Path> children = Files.list(newest)) {
            children.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(DIGEST_SUFFIX))
                    .sorted()
                    .forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
        }
        return new FileListSnapshotInfo(files, termOf(newest), indexOf(newest));
    }

    private void prune() throws IOException {
        List<Path> dirs = snapshotDirs();
        for (int i = 0; i < dirs.size() - SNAPSHOTS_RETAINED; i++) {
            RocksStore.deleteTree(dirs.get(i));
        }
    }
}
