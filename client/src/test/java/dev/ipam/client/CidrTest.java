package dev.ipam.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CidrTest {
    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, 10.0.0.0/8, IPv4, 16777216",
        "192.168.1.0/24, 192.168.1.0/24, IPv4, 256",
        "0.0.0.0/0, 0.0.0.0/0, IPv4, 4294967296",
        "2001:db8::/32, 2001:db8::/32, IPv6, 79228162514264337593543950336",
        "2001:DB8:0:0:1::/80, 2001:db8:0:0:1::/80, IPv6, 281474976710656",
        "::/0, ::/0, IPv6, 340282366920938463463374607431768211456",
        "fe80::1:0:0:0/64, fe80::/64, IPv6, 18446744073709551616",
    })
    void parsesAndPrintsCanonically(String text, String printed, String family, String size) {
        Cidr cidr = Cidr.parse(text);
        assertEquals(printed, cidr.toString());
        assertEquals(family, cidr.family());
        assertEquals(new BigInteger(size), cidr.size());
    }

    @Test
    void knowsHostBitsContainmentAndOverlap() {
        assertFalse(Cidr.parse("10.0.0.1/24").canonical());
        assertTrue(Cidr.parse("10.0.0.0/24").contains(Cidr.parse("10.0.0.128/25")));
        assertFalse(Cidr.parse("10.0.0.0/25").contains(Cidr.parse("10.0.0.0/24")));
        assertTrue(Cidr.parse("10.0.0.0/24").overlaps(Cidr.parse("10.0.0.0/16")));
        assertFalse(Cidr.parse("10.0.0.0/25").overlaps(Cidr.parse("10.0.0.128/25")));
        assertEquals("1:0:0:1::/64", Cidr.of(new BigInteger("00010000000000010000000000000000", 16), 64, 128).toString());
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0", "10.0.0/8", "10.0.0.256/8", "10.0.0.0/33", "1::2::3/64", "2001:db8::/x", "12345::/16"})
    void refusesMalformedBlocksWithAReason(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().length() > 10, e.getMessage());
    }
}
