package dev.ipam.cli;

import dev.ipam.client.ClusterAdmin;
import dev.ipam.client.model.ClusterStatus;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ipamctl cluster status|add-peer|remove-peer|transfer-leader|snapshot}: the Raft group. */
@Command(name = "cluster", description = "Operate the cluster: status, membership, leadership, snapshots.")
final class ClusterCommand {
    @ParentCommand
    Ipamctl root;

    @Command(name = "status", description = "The group as a node sees it, and every configured node's health.")
    int status(@Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table|json|yaml") Format output) {
        Session session = root.session();
        ClusterAdmin cluster = session.adminClient().cluster();
        ClusterStatus status = cluster.status();
        if (output == Format.json) {
            session.out.println(Printer.json(status));
        } else if (output == Format.yaml) {
            session.out.print(Printer.yaml(status));
        } else if (output == Format.table || output == Format.wide) {
            print(session, status, cluster.readiness());
        } else {
            throw new UsageError("cluster status: -o " + output + " is not supported; use table, json or yaml");
        }
        session.out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "add-peer", description = "Add an empty node to the group; it installs a snapshot and catches up.")
    int addPeer(@Parameters(paramLabel = "ID") String id,
                @Option(names = "--raft-address", required = true, paramLabel = "HOST:PORT") String raftAddress,
                @Option(names = "--http-address", required = true, paramLabel = "URL") String httpAddress) {
        Session session = root.session();
        ClusterStatus status = session.adminClient().cluster().addPeer(id, raftAddress, httpAddress);
        session.out.println("peer " + id + " added; members: " + members(status));
        session.out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "remove-peer", description = "Remove a node from the group.")
    int removePeer(@Parameters(paramLabel = "ID") String id) {
        Session session = root.session();
        ClusterStatus status = session.adminClient().cluster().removePeer(id);
        session.out.println("peer " + id + " removed; members: " + members(status));
        session.out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "transfer-leader", description = "Move leadership to the given node.")
    int transferLeader(@Parameters(paramLabel = "ID") String id) {
        Session session = root.session();
        ClusterStatus status = session.adminClient().cluster().transferLeader(id);
        session.out.println("leader: " + status.leaderId() + " (term " + status.term() + ")");
        session.out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "snapshot", description = "Take a snapshot on the answering node now.")
    int snapshot() {
        Session session = root.session();
        long index = session.adminClient().cluster().snapshot();
        session.out.println("snapshot taken at index " + index);
        session.out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "log-level", description = "Change a logger's level at run time on the answering node (--server one node to pick it).")
    int logLevel(@Parameters(index = "0", paramLabel = "LOGGER", description = "logger name, e.g. dev.ipam or ROOT") String logger,
                 @Parameters(index = "1", paramLabel = "LEVEL", description = "TRACE|DEBUG|INFO|WARN|ERROR|OFF|INHERIT") String level) {
        Session session = root.session();
        var answer = session.adminClient().cluster().logLevel(logger, level);
        session.out.println(answer.path("logger").asText() + ": " + answer.path("level").asText()
                + " (was " + answer.path("previous").asText() + ")");
        session.out.flush();
        return ExitCodes.OK;
    }

    private static String members(ClusterStatus status) {
        return status.members() == null ? "[]" : status.members().stream().map(ClusterStatus.Member::id).toList().toString();
    }

    private static void print(Session session, ClusterStatus status, List<ClusterAdmin.Probe> probes) {
        session.out.println("Group:     " + status.groupId());
        session.out.println("Answered:  " + status.self());
        session.out.println("Leader:    " + (status.leaderId() == null || status.leaderId().isEmpty() ? "<none>" : status.leaderId()));
        session.out.println("Term:      " + status.term());
        session.out.println("Commit:    " + status.commitIndex() + "   Applied: " + status.appliedIndex());
        session.out.println();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ID", "ROLE", "RAFT ADDRESS", "HTTP ADDRESS", "MATCH INDEX", "LAST CONTACT"));
        if (status.members() != null) {
            for (ClusterStatus.Member m : status.members()) {
                rows.add(List.of(text(m.id()), text(m.role()), text(m.raftAddress()), text(m.httpAddress()),
                        m.matchIndex() == null ? "" : m.matchIndex().toString(),
                        m.lastContactMs() == null ? "" : m.lastContactMs() + "ms"));
            }
        }
        session.out.print(Tables.layout(rows));
        session.out.println();
        List<List<String>> health = new ArrayList<>();
        health.add(List.of("SERVER", "READY", "DETAIL"));
        for (ClusterAdmin.Probe probe : probes) {
            health.add(List.of(probe.endpoint().toString(), probe.ok() ? "yes" : "no",
                    probe.detail() == null ? "" : probe.detail().lines().findFirst().orElse("")));
        }
        session.out.print(Tables.layout(health));
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }
}
