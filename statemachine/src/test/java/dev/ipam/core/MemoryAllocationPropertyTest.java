package dev.ipam.core;

import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Store;

class MemoryAllocationPropertyTest extends AllocationPropertySuite {
    @Override
    protected Store newStore() {
        return new MemoryStore();
    }
}
