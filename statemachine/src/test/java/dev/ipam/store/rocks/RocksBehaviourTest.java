package dev.ipam.store.rocks;

import dev.ipam.core.BehaviourSuite;
import dev.ipam.core.store.Store;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The core's BehaviourSuite on the daemon's RocksDB store. */
class RocksBehaviourTest extends BehaviourSuite {
    @TempDir
    Path temp;
    private final List<RocksStore> opened = new ArrayList<>();

    @Override
    protected Store newStore() {
        RocksStore store = RocksStore.open(temp.resolve("store-" + opened.size()));
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RocksStore::close);
        opened.clear();
    }
}
