package dev.ipam.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DecodedTest {
    private final AtomicInteger decodes = new AtomicInteger();
    private final Function<byte[], String> decoder = bytes -> {
        decodes.incrementAndGet();
        return new String(bytes, StandardCharsets.UTF_8);
    };

    /** Caches a String equal to, but not the same as, the one {@code bytes} decode to. */
    private static String cached(byte[] bytes) {
        String value = new String(bytes, StandardCharsets.UTF_8);
        Decoded.cache().put(bytes, value);
        return value;
    }

    @Test
    void secondReadOfTheSameArrayIsAHit() {
        byte[] bytes = "pool-a".getBytes(StandardCharsets.UTF_8);
        String first = Decoded.cache().get(bytes, String.class, decoder);
        String second = Decoded.cache().get(bytes, String.class, decoder);
        assertSame(first, second);
        // the test run sets ipam.decoded.verify, so a hit decodes once more to compare
        assertEquals(Boolean.getBoolean("ipam.decoded.verify") ? 2 : 1, decodes.get());
    }

    @Test
    void aValueCachedOnWriteIsReturnedForThoseBytes() {
        byte[] bytes = "written".getBytes(StandardCharsets.UTF_8);
        String value = cached(bytes);
        assertSame(value, Decoded.cache().get(bytes, String.class, decoder));
    }

    @Test
    void peekFindsOnlyThatArrayAndNeverDecodes() {
        byte[] bytes = "peeked".getBytes(StandardCharsets.UTF_8);
        String value = cached(bytes);
        assertSame(value, Decoded.cache().peek(bytes));
        org.junit.jupiter.api.Assertions.assertNull(Decoded.cache().peek(bytes.clone()), "an equal array");
        org.junit.jupiter.api.Assertions.assertNull(Decoded.cache().peek("never cached".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, decodes.get());
    }

    @Test
    void anEqualButDifferentArrayIsAMiss() {
        byte[] bytes = "same".getBytes(StandardCharsets.UTF_8);
        String cached = new String("same");
        Decoded.cache().put(bytes, cached);
        String other = Decoded.cache().get(bytes.clone(), String.class, decoder);
        assertEquals("same", other);
        assertTrue(other != cached, "found by content, not identity");
    }

    /** Changing a stored array breaks Batch.put's contract; test runs (verify mode) catch it. */
    @Test
    void verificationCatchesAnArrayChangedAfterItWasCached() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("ipam.decoded.verify"));
        byte[] bytes = "aaaa".getBytes(StandardCharsets.UTF_8);
        Decoded.cache().put(bytes, "aaaa");
        bytes[0] = 'b';
        assertThrows(IllegalStateException.class, () -> Decoded.cache().get(bytes, String.class, decoder));
        byte[] taken = "cccc".getBytes(StandardCharsets.UTF_8);
        Decoded.cache().put(taken, "cccc");
        taken[0] = 'd';
        assertThrows(IllegalStateException.class, () -> Decoded.cache().take(taken, String.class, decoder));
    }

    @Test
    void aTakenValueLeavesTheCache() {
        byte[] bytes = "taken".getBytes(StandardCharsets.UTF_8);
        String value = cached(bytes);
        assertSame(value, Decoded.cache().take(bytes, String.class, decoder));
        org.junit.jupiter.api.Assertions.assertNull(Decoded.cache().peek(bytes), "no one else is handed it");
        String again = Decoded.cache().take(bytes, String.class, decoder);
        assertEquals("taken", again);
        assertTrue(again != value, "decoded afresh");
    }

    @Test
    void aTakeThatMissesDecodesAndCachesNothing() {
        byte[] bytes = "missed".getBytes(StandardCharsets.UTF_8);
        assertEquals("missed", Decoded.cache().take(bytes, String.class, decoder));
        org.junit.jupiter.api.Assertions.assertNull(Decoded.cache().peek(bytes));
        assertEquals(1, decodes.get());
    }

    @Test
    void aValueOfAnotherTypeIsAMiss() {
        byte[] bytes = "42".getBytes(StandardCharsets.UTF_8);
        Decoded.cache().put(bytes, 42);
        assertEquals("42", Decoded.cache().get(bytes, String.class, decoder));
    }

    @Test
    void verificationCatchesACachedValueThatIsNotTheDecoding() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("ipam.decoded.verify"));
        byte[] bytes = "truth".getBytes(StandardCharsets.UTF_8);
        Decoded.cache().put(bytes, "a lie");
        assertThrows(IllegalStateException.class, () -> Decoded.cache().get(bytes, String.class, decoder));
    }
}
