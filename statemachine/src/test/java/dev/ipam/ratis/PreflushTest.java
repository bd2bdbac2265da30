package dev.ipam.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** When the store starts flushing ahead of a snapshot: at each quarter of the auto-snapshot interval. */
class PreflushTest {
    private final IpamStateMachine.Options every10k = new IpamStateMachine.Options(1000, 10_000);

    @Test
    void quartersOfTheIntervalAfterTheLastSnapshot() {
        assertEquals(2_500, every10k.nextPreflush(0, 0));
        assertEquals(2_500, every10k.nextPreflush(0, 2_499));
        assertEquals(5_000, every10k.nextPreflush(0, 2_500));
        assertEquals(7_500, every10k.nextPreflush(0, 5_123));
        assertEquals(Long.MAX_VALUE, every10k.nextPreflush(0, 7_500), "the snapshot itself comes next");
        assertEquals(12_499, every10k.nextPreflush(9_999, 9_999), "counted from the snapshot's index");
        assertEquals(17_499, every10k.nextPreflush(9_999, 15_000));
    }

    @Test
    void noIntervalNoPreflush() {
        assertEquals(Long.MAX_VALUE, new IpamStateMachine.Options(1000).nextPreflush(0, 0));
        assertEquals(Long.MAX_VALUE, new IpamStateMachine.Options(1000, 3).nextPreflush(0, 0), "a quarter under one entry");
    }
}
