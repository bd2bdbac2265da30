package dev.ipam.store.rocks;

import dev.ipam.core.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fresh RocksDB stores for the core's store-agnostic suites: each {@link #open()} is a new database in
 * its own directory; all are closed and deleted after every test.
 */
final class RocksStores implements AfterEachCallback {
    private final List<RocksStore> opened = new ArrayList<>();
    private final int cacheEntries;
    private final long cacheBytes;
    private Path root;

    RocksStores() {
        this(RocksStore.OBJECT_CACHE_ENTRIES, RocksStore.OBJECT_CACHE_BYTES);
    }

    /** Stores whose object cache has these bounds. */
    RocksStores(int cacheEntries, long cacheBytes) {
        this.cacheEntries = cacheEntries;
        this.cacheBytes = cacheBytes;
    }

    Store open() {
        try {
            if (root == null) {
                root = Files.createTempDirectory("ipam-rocks-suite");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RocksStore store = RocksStore.open(root.resolve("store-" + opened.size()), cacheEntries, cacheBytes);
        opened.add(store);
        return store;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        opened.forEach(RocksStore::close);
        opened.clear();
        if (root != null) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
            root = null;
        }
    }
}
