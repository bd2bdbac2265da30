package dev.ipam.store.rocks;

import dev.ipam.core.BehaviourSuite;
import dev.ipam.core.store.Store;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The BehaviourSuite on RocksDB with an object cache of 4 entries: reads keep missing and evicting. */
class RocksTinyCacheBehaviourTest extends BehaviourSuite {
    @RegisterExtension
    final RocksStores stores = new RocksStores(4, 2048);

    @Override
    protected Store newStore() {
        return stores.open();
    }
}
