package dev.ipam.store.rocks;

import dev.ipam.core.RejectionSuite;
import dev.ipam.core.store.Store;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's RejectionSuite on the daemon's RocksDB store. */
class RocksRejectionTest extends RejectionSuite {
    @RegisterExtension
    final RocksStores stores = new RocksStores();

    @Override
    protected Store newStore() {
        return stores.open();
    }
}
