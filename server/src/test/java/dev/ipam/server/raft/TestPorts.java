package dev.ipam.server.raft;

/** Free loopback ports for tests that start servers. */
public final class TestPorts {
    private TestPorts() {
    }

    public static int free() {
        return TestCluster.freePort();
    }
}
