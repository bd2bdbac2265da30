package dev.ipam.jepsen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start one node: a command line template whose whitespace-separated words may hold
 * placeholders, expanded per node. Wiring a different daemon is a change of template, not of code.
 *
 * <p>Placeholders: {@code {id}}, {@code {ip}}, {@code {raftAddress}} (ip:raftPort),
 * {@code {httpAddress}} (ip:httpPort), {@code {peers}} (every node formatted with
 * {@code peerFormat}, comma-joined), {@code {dataDir}}, {@code {extraFlags}} (a word of its own,
 * replaced by zero or more words; appended at the end when the template has none). A node re-added
 * after a membership change starts on an empty data dir with {@code joinFlags} appended.
 */
public record NodeCommand(String template, String peerFormat, List<String> extraFlags, List<String> joinFlags,
                          int raftPort, int httpPort) {
    /**
     * ipamd's command line (server/.../Main.java); override with --command. A multi-node ipamd refuses to
     * start without a token file unless told to run without authentication: the harness's clients send
     * no token, inside network namespaces of their own.
     */
    public static final String IPAMD_TEMPLATE = "{ipamd} --node-id {id} --raft-address {raftAddress} "
            + "--http-address {httpAddress} --peers {peers} --data-dir {dataDir} --auth-anonymous true {extraFlags}";
    /** ipamd's --peers entry: {@code id=host:raftPort=host:httpPort}. */
    public static final String PEER_FORMAT = "{id}={raftAddress}={httpAddress}";
    /** ipamd's flag for a node that starts empty and waits to be added by a member. */
    public static final String JOIN_FLAG = "--join";

    public NodeCommand {
        if (template.isBlank()) {
            throw new IllegalArgumentException("the node command template is empty");
        }
        extraFlags = List.copyOf(extraFlags);
        joinFlags = List.copyOf(joinFlags);
    }

    public String raftAddress(NetnsCluster.Node node) {
        return node.ip() + ":" + raftPort;
    }

    public String httpAddress(NetnsCluster.Node node) {
        return node.ip() + ":" + httpPort;
    }

    public List<String> expand(NetnsCluster.Node node, List<NetnsCluster.Node> members, Path dataDir, boolean joining) {
        List<String> peers = new ArrayList<>();
        for (NetnsCluster.Node member : members) {
            peers.add(fill(peerFormat, member, "", dataDir));
        }
        String peerList = String.join(",", peers);
        List<String> flags = new ArrayList<>(extraFlags);
        if (joining) {
            flags.addAll(joinFlags);
        }
        List<String> words = new ArrayList<>();
        boolean placedFlags = false;
        for (String word : template.strip().split("\\s+")) {
            if (word.equals("{extraFlags}")) {
                words.addAll(flags);
                placedFlags = true;
            } else {
                words.add(fill(word, node, peerList, dataDir));
            }
        }
        if (!placedFlags) {
            words.addAll(flags);
        }
        return words;
    }

    private String fill(String word, NetnsCluster.Node node, String peers, Path dataDir) {
        return word.replace("{id}", node.id()).replace("{ip}", node.ip())
                .replace("{raftAddress}", raftAddress(node)).replace("{httpAddress}", httpAddress(node))
                .replace("{peers}", peers).replace("{dataDir}", dataDir.toString());
    }
}
