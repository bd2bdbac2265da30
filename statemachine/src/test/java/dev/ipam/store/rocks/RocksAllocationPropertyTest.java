package dev.ipam.store.rocks;

import dev.ipam.core.AllocationPropertySuite;
import dev.ipam.core.store.Store;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's AllocationPropertySuite on the daemon's RocksDB store, its object cache small enough to evict all the time. */
class RocksAllocationPropertyTest extends AllocationPropertySuite {
    @RegisterExtension
    final RocksStores stores = new RocksStores(32, 8192);

    @Override
    protected Store newStore() {
        return stores.open();
    }
}
