package dev.ipam.server.raft;

/**
 * A member of the group: its id, the host:port its Raft (gRPC) transport listens on and the
 * host:port of its HTTP API. Written {@code id=host:raftPort=host:httpPort} in configuration.
 */
public record Peer(String id, String raftAddress, String httpAddress) {
    public Peer {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new IllegalArgumentException("peer id '" + id + "' must be 1-63 letters, digits, '_', '.', '-'");
        }
        requireHostPort("raft address of " + id, raftAddress);
        requireHostPort("http address of " + id, httpAddress);
    }

    /** Parses {@code id=host:raftPort=host:httpPort}. */
    public static Peer parse(String text) {
        String[] parts = text.trim().split("=");
        if (parts.length != 3) {
            throw new IllegalArgumentException("peer '" + text + "' must be id=host:raftPort=host:httpPort");
        }
        return new Peer(parts[0], parts[1], parts[2]);
    }

    static void requireHostPort(String what, String address) {
        if (address == null) {
            throw new IllegalArgumentException(what + " is missing: use host:port");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(what + " '" + address + "' must be host:port");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + address + "' has no numeric port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " '" + address + "': port must be 1..65535");
        }
    }

    static String host(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    @Override
    public String toString() {
        return id + "=" + raftAddress + "=" + httpAddress;
    }
}
