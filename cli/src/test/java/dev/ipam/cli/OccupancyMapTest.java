package dev.ipam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ipam.client.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class OccupancyMapTest {
    private static List<Cidr> blocks(String... cidrs) {
        return java.util.Arrays.stream(cidrs).map(Cidr::parse).toList();
    }

    @Test
    void smallPoolsGetOneCellPerAddress() {
        OccupancyMap map = new OccupancyMap(Cidr.parse("192.168.0.0/29"), blocks("192.168.0.2/31", "192.168.0.4/32"));
        assertEquals(List.of(
                "Occupancy: 8 cells, each a /32 (1 address)",
                "  192.168.0.0  ..###...",
                "  legend: # full   + partly used   . free"), map.render());
        assertEquals("192.168.0.0/31", map.largestFree().orElseThrow().toString());
    }

    @Test
    void partlyUsedCellsShowAsPlus() {
        OccupancyMap map = new OccupancyMap(Cidr.parse("10.0.0.0/16"), blocks("10.0.0.0/24", "10.0.2.0/26", "10.0.255.255/32"));
        List<String> lines = map.render();
        assertEquals("Occupancy: 128 cells, each a /23 (512 addresses)", lines.get(0));
        assertEquals("  10.0.0.0    ++" + ".".repeat(62), lines.get(1));
        assertEquals("  10.0.128.0  " + ".".repeat(63) + "+", lines.get(2));
        assertEquals("10.0.64.0/18", map.largestFree().orElseThrow().toString(), "the lowest of the two free /18s");
    }

    @Test
    void aFullPoolHasNoFreeBlock() {
        OccupancyMap map = new OccupancyMap(Cidr.parse("10.0.0.0/30"), blocks("10.0.0.0/31", "10.0.0.2/31"));
        assertEquals("  10.0.0.0  ####", map.render().get(1));
        assertEquals(java.util.Optional.empty(), map.largestFree());
        assertEquals(4, map.used().intValue());
    }

    @Test
    void hugeIpv6PoolsStayCompact() {
        OccupancyMap map = new OccupancyMap(Cidr.parse("2001:db8::/32"), blocks("2001:db8::/33"));
        List<String> lines = map.render();
        assertEquals("  2001:db8::       " + "#".repeat(64), lines.get(1));
        assertEquals("  2001:db8:8000::  " + ".".repeat(64), lines.get(2));
        assertEquals("2001:db8:8000::/33", map.largestFree().orElseThrow().toString());
    }
}
