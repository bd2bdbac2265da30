package dev.ipam.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** MemoryStore's map key must order exactly as unsigned byte arrays, whatever the lengths and zero bytes. */
class KeyOrderTest {
    @Test
    void ordersAsUnsignedByteArrays() {
        long seed = Long.getLong("seed", 20261122L);
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] keys = new byte[400][];
        for (int i = 0; i < keys.length; i++) {
            byte[] key = new byte[random.nextInt(0, 64)];
            for (int j = 0; j < key.length; j++) {
                int pick = random.nextInt(4); // few distinct bytes: many equal prefixes, zeros and 0xff
                key[j] = (byte) (pick == 0 ? 0 : pick == 1 ? 0xFF : pick == 2 ? 1 : random.nextInt(256));
            }
            keys[i] = key;
        }
        for (byte[] a : keys) {
            for (byte[] b : keys) {
                int expected = Integer.signum(Arrays.compareUnsigned(a, b));
                assertEquals(expected, Integer.signum(new Key(a).compareTo(new Key(b))),
                        () -> "seed " + seed + ": " + Arrays.toString(a) + " vs " + Arrays.toString(b));
                assertEquals(expected == 0, new Key(a).equals(new Key(b)));
            }
        }
    }
}
