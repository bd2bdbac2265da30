package dev.ipam.store.rocks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.rocksdb.NativeLibraryLoader;

/**
 * Where a long-running process unpacks RocksDB's JNI library.
 *
 * <p>By default RocksDB copies its 15 MB library to a new temporary file in {@code java.io.tmpdir}
 * on every start and deletes it at a normal exit. A process killed with SIGKILL (the OOM killer, a
 * crash test, {@code kill -9}) leaves that copy behind, so a node that crashes again and again fills
 * {@code /tmp}. Unpacked into a directory of the node's own under a fixed name, each start replaces
 * the copy the last one left: at most one per node. One process at a time may use
 * {@code directory}: two started at the same moment on it could load each other's half-written
 * copy (a data directory serves one node anyway, and the second would fail on its locks).
 */
public final class NativeLibrary {
    /** The data directory's subdirectory that holds the library. */
    public static final String DIRECTORY = "native";

    private NativeLibrary() {
    }

    /**
     * Loads RocksDB's JNI library from {@code directory} (created if missing), unpacking it there.
     * Call it before the process first uses RocksDB; afterwards it does nothing. Returns a reason
     * when it could not (e.g. the directory is on a {@code noexec} mount); RocksDB then falls back
     * to its temporary file.
     */
    public static synchronized Optional<String> loadFrom(Path directory) {
        try {
            Files.createDirectories(directory);
            NativeLibraryLoader.getInstance().loadLibrary(directory.toAbsolutePath().toString());
            return Optional.empty();
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            return Optional.of("cannot load RocksDB's library from " + directory + ": " + e);
        }
    }
}
