package dev.ipam.server.raft;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for tests that start servers, the one place every module's tests take them
 * from (server, cli, ops and tests use this test-jar).
 *
 * <p>Ports come from 20001-31999, below the kernel's ephemeral range (32768-60999 here). A port
 * probed free by binding port 0 lies inside that range, and any outgoing connection (a gRPC client of
 * another node, the test's own HTTP client) can take it before the daemon binds it: CI failed that
 * way with "Address already in use". Ports handed out once are not handed out again in this JVM.
 */
public final class TestPorts {
    private static final int LOW = 20_000;
    private static final int SPAN = 12_000;
    private static final int ATTEMPTS = 500;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private TestPorts() {
    }

    /** One free loopback port. */
    public static int free() {
        return freeBase(1) + 1;
    }

    /** A base b with b+1..b+count all free on loopback (local-cluster.sh puts node i on base+i). */
    public static synchronized int freeBase(int count) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("count must be 1..100: " + count);
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int base = LOW + ThreadLocalRandom.current().nextInt(SPAN - count);
            boolean allFree = true;
            for (int i = 1; allFree && i <= count; i++) {
                allFree = !HANDED_OUT.contains(base + i) && bindable(base + i);
            }
            if (allFree) {
                for (int i = 1; i <= count; i++) {
                    HANDED_OUT.add(base + i);
                }
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free loopback ports in " + (LOW + 1) + "-"
                + (LOW + SPAN - 1) + " after " + ATTEMPTS + " tries");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
