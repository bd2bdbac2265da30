package dev.ipam.core.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ipam.core.model.IPFamily;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockTest {
    @Test
    void formatsIpv6LikeTheIpaddressLibrary() {
        Random random = new Random(Long.getLong("seed", 11));
        for (int i = 0; i < 20_000; i++) {
            long hi = random.nextLong();
            long lo = random.nextLong();
            // Zero out random groups so that runs of zeros of every shape appear.
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(2) == 0) {
                    if (g < 4) {
                        hi &= ~(0xFFFFL << (48 - 16 * g));
                    } else {
                        lo &= ~(0xFFFFL << (48 - 16 * (g - 4)));
                    }
                }
            }
            byte[] bytes = new byte[16];
            for (int b = 0; b < 8; b++) {
                bytes[b] = (byte) (hi >>> (56 - 8 * b));
                bytes[8 + b] = (byte) (lo >>> (56 - 8 * b));
            }
            String expected = new IPv6Address(bytes).toCanonicalString();
            assertEquals(expected, Block.format(IPFamily.IPv6, hi, lo));
            int length = random.nextInt(129);
            Block masked = new Block(IPFamily.IPv6, Block.maskHi(128, hi, length), Block.maskLo(128, lo, length),
                    length);
            assertEquals(masked, Block.parseCanonical(masked.cidr()), masked.cidr());
            byte[] maskedBytes = new byte[16];
            for (int b = 0; b < 8; b++) {
                maskedBytes[b] = (byte) (masked.hi() >>> (56 - 8 * b));
                maskedBytes[8 + b] = (byte) (masked.lo() >>> (56 - 8 * b));
            }
            assertEquals(new IPv6Address(maskedBytes).toCanonicalString() + "/" + length, masked.cidr());
            Block.Parsed parsed = Block.parse(expected + "/128");
            assertNotNull(parsed.block(), expected);
            assertEquals(hi, parsed.block().hi());
            assertEquals(lo, parsed.block().lo());
        }
    }

    @Test
    void fastPathAcceptsOnlyCanonicalText() {
        Random random = new Random(Long.getLong("seed", 5));
        for (int i = 0; i < 5000; i++) {
            int length = random.nextInt(33);
            long address = Block.maskLo(32, random.nextLong() & 0xFFFFFFFFL, length);
            Block block = new Block(IPFamily.IPv4, 0, address, length);
            assertEquals(new IPv4Address((int) address).toCanonicalString() + "/" + length, block.cidr());
            assertEquals(block, Block.parseCanonical(block.cidr()));
        }
        for (String bad : new String[] {"10.0.0.1/8", "010.0.0.0/8", "10.0.0/8", "10.0.0.0.0/8", "10.0.0.0/33",
                "2001:DB8::/32", "2001:db8:0::/32", "::/129", ":::/0", "1::2::3/128", "2001:0db8::/32", "1.2.3.4/",
                "/8", "1:2:3:4:5:6:7:8:9/128", "1:2:3:4:5:6:7::8/128", "10.0.0.0/+8"}) {
            assertNull(Block.parseCanonical(bad), bad);
        }
        assertEquals(Block.parse("::/0").block(), Block.parseCanonical("::/0"));
        assertEquals(Block.parse("::1/128").block(), Block.parseCanonical("::1/128"));
        assertEquals(Block.parse("1::/16").block(), Block.parseCanonical("1::/16"));
    }

    @Test
    void parsesStrictly() {
        assertEquals(new Block(IPFamily.IPv4, 0, 0x0A000000L, 8), Block.parse("10.0.0.0/8").block());
        assertEquals("10.0.0.0/8", Block.parse("10.0.0.1/8").canonical());
        assertEquals("2001:db8::/32", Block.parse("2001:DB8::/32").canonical());
        assertNull(Block.parse("2001:DB8::/32").block());
        assertNull(Block.parse("10.0.0.0").block());
        assertNull(Block.parse("10.0.0.0/8 ").block());
        assertNull(Block.parse("10.*.0.0/16").block());
        assertNull(Block.parse("").block());
        assertThrows(IllegalArgumentException.class, () -> new Block(IPFamily.IPv4, 0, 0x0A000001L, 8));
    }

    @Test
    void countsIn128Bits() {
        assertEquals(U128.pow2(127), U128.pow2(126).plus(U128.pow2(126)));
        assertEquals(Long.MAX_VALUE, U128.pow2(64).saturated());
        assertEquals(Long.MAX_VALUE, U128.pow2(63).saturated());
        assertEquals(Long.MAX_VALUE - 0, U128.pow2(63).minus(new U128(0, 1)).saturated());
        assertThrows(ArithmeticException.class, () -> U128.pow2(127).plus(U128.pow2(127)));
        assertThrows(ArithmeticException.class, () -> U128.ZERO.minus(new U128(0, 1)));
        assertEquals("340282366920938463463374607431768211455",
                new U128(-1, -1).toBigInteger().toString());
    }
}
