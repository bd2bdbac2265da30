package dev.ipam.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipam.client.model.ClusterStatus;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operations endpoints every node serves: the Raft group's status and membership, leadership
 * transfer, snapshots, and each node's health. Calls fail over like every other call, except the
 * health probes, which ask one given node.
 */
public final class ClusterAdmin {
    private final Transport transport;
    private final ClientConfig config;

    ClusterAdmin(Transport transport, ClientConfig config) {
        this.transport = transport;
        this.config = config;
    }

    /** Whether one node answered its probe, and why not when it did not. */
    public record Probe(URI endpoint, boolean ok, int code, String detail) {
    }

    /** The group as the answering node sees it ({@code GET /admin/cluster}). */
    public ClusterStatus status() {
        return call("GET", "/admin/cluster", null);
    }

    /** Adds an empty node to the group; it installs a snapshot and catches up. */
    public ClusterStatus addPeer(String id, String raftAddress, String httpAddress) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("raftAddress", raftAddress);
        body.put("httpAddress", httpAddress);
        return call("POST", "/admin/cluster/peers", body);
    }

    /** Removes a node from the group. */
    public ClusterStatus removePeer(String id) {
        return call("DELETE", "/admin/cluster/peers/" + Transport.segment(id), null);
    }

    /** Moves leadership to the given node. */
    public ClusterStatus transferLeader(String id) {
        return call("POST", "/admin/cluster/leader", Map.of("id", id));
    }

    /** Takes a snapshot on the answering node; returns its log index. */
    public long snapshot() {
        Transport.Answer answer = transport.send(new Transport.Call("POST", "/admin/cluster/snapshot", null,
                new byte[0], "application/json", RequestIds.next()));
        if (!answer.ok()) {
            throw answer.error();
        }
        return Codec.decode(answer.body(), JsonNode.class).path("index").asLong();
    }

    /**
     * Streams a consistent backup of the whole cluster ({@code GET /admin/backup}) into {@code target};
     * returns the bytes written. The file's header carries the log index it reflects and a checksum.
     */
    public long backup(java.io.OutputStream target) {
        Transport.Stream stream = transport.open(Transport.Call.get("/admin/backup", null));
        try (java.io.InputStream in = stream.body()) {
            if (stream.code() != 200) {
                throw new Transport.Answer(stream.code(), Transport.readLimited(in, config.responseBytesMax(), stream.endpoint()),
                        stream.endpoint(), 1).error();
            }
            return in.transferTo(target);
        } catch (java.io.IOException e) {
            throw new IpamException(IpamException.Reason.UNAVAILABLE, "backup from " + stream.endpoint() + " broke off: " + e.getMessage(), e);
        }
    }

    /** Sets a logger's level on the answering node ({@code PUT /admin/log-level}); returns the answer. */
    public JsonNode logLevel(String logger, String level) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("logger", logger);
        body.put("level", level);
        Transport.Answer answer = transport.send(new Transport.Call("PUT", "/admin/log-level", null, Codec.encode(body),
                "application/json", RequestIds.next()));
        if (!answer.ok()) {
            throw answer.error();
        }
        return Codec.decode(answer.body(), JsonNode.class);
    }

    /** {@code GET /healthz} on every configured node, in order. */
    public java.util.List<Probe> health() {
        return probeAll("/healthz");
    }

    /** {@code GET /readyz} on every configured node, in order. */
    public java.util.List<Probe> readiness() {
        return probeAll("/readyz");
    }

    private java.util.List<Probe> probeAll(String path) {
        java.util.List<Probe> probes = new java.util.ArrayList<>();
        for (URI endpoint : config.endpoints()) {
            ClientConfig one = config.probe(endpoint);
            try {
                Transport.Answer answer = new Transport(one).send(Transport.Call.get(path, null));
                String text = new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8).trim();
                probes.add(new Probe(endpoint, answer.ok(), answer.code(), text));
            } catch (IpamException e) {
                probes.add(new Probe(endpoint, false, 0, e.getMessage()));
            }
        }
        return probes;
    }

    private ClusterStatus call(String method, String path, Object body) {
        Transport.Answer answer = transport.send(new Transport.Call(method, path, null,
                body == null ? null : Codec.encode(body), "application/json",
                method.equals("GET") ? null : RequestIds.next()));
        if (!answer.ok()) {
            throw answer.error();
        }
        return Codec.decode(answer.body(), ClusterStatus.class);
    }
}
