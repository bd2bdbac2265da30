package dev.ipam.store.rocks;

import dev.ipam.core.BehaviourSuite;
import dev.ipam.core.store.Store;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's BehaviourSuite on the daemon's RocksDB store. */
class RocksBehaviourTest extends BehaviourSuite {
    @RegisterExtension
    final RocksStores stores = new RocksStores();

    @Override
    protected Store newStore() {
        return stores.open();
    }
}
