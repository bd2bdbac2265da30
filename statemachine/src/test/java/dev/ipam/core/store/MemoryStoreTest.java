package dev.ipam.core.store;

import java.nio.file.Files;
import java.nio.file.Path;

/** The store contract on the in-memory store: a directory holding a checkpoint restores it, else a fresh store. */
class MemoryStoreTest extends StoreContract {
    @Override
    protected Store newStore(Path dir) {
        return Files.isDirectory(dir) ? MemoryStore.open(dir) : new MemoryStore();
    }

    @Override
    protected boolean durable() {
        return false;
    }
}
