package dev.ipam.core;

import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Store;

class MemoryBehaviourTest extends BehaviourSuite {
    @Override
    protected Store newStore() {
        return new MemoryStore();
    }
}
