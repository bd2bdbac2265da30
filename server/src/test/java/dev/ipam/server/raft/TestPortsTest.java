package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestPortsTest {
    @Test
    void portsAreBelowTheEphemeralRangeAndNeverHandedOutTwice() {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int port = TestPorts.free();
            assertTrue(port > 20_000 && port < 32_000, "outside 20001-31999: " + port);
            assertTrue(seen.add(port), "handed out twice: " + port);
        }
        for (int i = 0; i < 20; i++) {
            int base = TestPorts.freeBase(5);
            for (int p = base + 1; p <= base + 5; p++) {
                assertTrue(p > 20_000 && p < 32_000, "outside 20001-31999: " + p);
                assertTrue(seen.add(p), "a base's range overlaps an earlier port: " + p);
            }
        }
    }
}
