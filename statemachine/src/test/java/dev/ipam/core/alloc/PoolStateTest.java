package dev.ipam.core.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ipam.core.model.IPFamily;
import dev.ipam.core.model.Strategy;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolStateTest {
    private static final BigInteger HUNDRED = BigInteger.valueOf(100);

    /** floor(allocated * 100 / 2^hostBits), exactly, for every IPv6 pool size and the values next to each percent step. */
    @Test
    void utilizationIsTheExactFloorOfThePercentOnEveryIpv6PoolSize() {
        Random random = new Random(20261123L);
        int checked = 0;
        for (int length = 0; length <= 127; length++) {
            int hostBits = 128 - length;
            BigInteger total = BigInteger.ONE.shiftLeft(hostBits);
            List<BigInteger> values = new ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE));
            if (hostBits < 128) {
                values.add(total);
            }
            values.add(total.subtract(BigInteger.ONE));
            for (int percent = 1; percent <= 99; percent++) {
                // the smallest allocation that reaches this percent, and the one below it
                BigInteger[] qr = total.multiply(BigInteger.valueOf(percent)).divideAndRemainder(HUNDRED);
                BigInteger first = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
                values.add(first);
                values.add(first.subtract(BigInteger.ONE));
            }
            for (int i = 0; i < 50; i++) {
                values.add(new BigInteger(hostBits, random));
            }
            PoolState state = new PoolState(new Block(IPFamily.IPv6, 0, 0, length), Strategy.FirstFit);
            for (BigInteger allocated : values) {
                state.allocatedHi = allocated.shiftRight(64).longValue();
                state.allocatedLo = allocated.longValue();
                int expected = allocated.multiply(HUNDRED).shiftRight(hostBits).intValue();
                assertEquals(expected, state.utilizationPercent(), "/" + length + " allocated " + allocated);
                checked++;
            }
        }
        assertEquals(128 * (3 + 2 * 99 + 50) + 127, checked, "values checked");
    }
}
