package dev.ipam.core;

import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Store;

class MemoryRejectionTest extends RejectionSuite {
    @Override
    protected Store newStore() {
        return new MemoryStore();
    }
}
