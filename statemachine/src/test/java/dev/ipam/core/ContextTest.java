package dev.ipam.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ipam.core.alloc.Block;
import dev.ipam.core.store.MemoryStore;
import dev.ipam.core.store.Store;
import org.junit.jupiter.api.Test;

class ContextTest {
    /** The block memo answers by identity only as a shortcut: every text still gets its own block. */
    @Test
    void blockMemoAnswersEachCidrWithItsOwnBlock() {
        try (Store store = new MemoryStore()) {
            Context context = new Context(store.batch(), 1, 0);
            Block a = Block.parse("10.1.0.0/24").block();
            Block b = Block.parse("2001:db8::/64").block();
            String aText = context.cidr(a);
            assertEquals("10.1.0.0/24", aText);
            assertSame(a, context.block(aText), "the block just formatted");
            assertEquals(b, context.block("2001:db8::/64"), "another text, parsed");
            assertEquals(a, context.block(new String("10.1.0.0/24")), "an equal text that is another string");
            assertEquals(b, context.block("2001:db8::/64"));
            IllegalStateException broken = assertThrows(IllegalStateException.class, () -> context.block("10.1.0.1/24"));
            assertEquals("stored block \"10.1.0.1/24\" is not a canonical CIDR", broken.getMessage());
        }
    }
}
