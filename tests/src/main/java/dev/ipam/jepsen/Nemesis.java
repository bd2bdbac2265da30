package dev.ipam.jepsen;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs a {@link Schedule} against the nodes: at each step's time it starts the fault, holds it, and
 * stops it, recording {@code start-<fault>} and {@code stop-<fault>} ops for process :nemesis (as
 * Jepsen does; the completion is :info, with an error when the fault could not be applied).
 */
public final class Nemesis implements Runnable {
    private final Nodes nodes;
    private final History history;
    private final IpamHttp client;
    private final List<Schedule.Step> plan;
    private final Shell.Log log;
    private static final long READD_TIMEOUT_MS = 60_000;
    private static final long READD_RETRY_MS = 1_000;
    private final Object clock = new Object();
    private volatile boolean stopping;
    private volatile long originNs;
    private int applied;

    public Nemesis(Nodes nodes, History history, IpamHttp client, List<Schedule.Step> plan, Shell.Log log) {
        this.nodes = nodes;
        this.history = history;
        this.client = client;
        this.plan = List.copyOf(plan);
        this.log = log;
    }

    /** Step times are measured from this call. */
    public void begin() {
        originNs = System.nanoTime();
    }

    /** Asks the schedule to stop; the current fault (if any) is stopped at once. */
    public void stop() {
        stopping = true;
        synchronized (clock) {
            clock.notifyAll();
        }
    }

    public int applied() {
        return applied;
    }

    @Override
    public void run() {
        for (Schedule.Step step : plan) {
            if (!waitUntil(step.atMs())) {
                return;
            }
            Active active = start(step);
            waitUntil(step.atMs() + step.holdMs());
            stopFault(active);
            applied++;
            if (stopping) {
                return;
            }
        }
    }

    /** Waits until {@code ms} after begin(); false when stopped first. */
    private boolean waitUntil(long ms) {
        synchronized (clock) {
            while (!stopping) {
                long leftMs = ms - (System.nanoTime() - originNs) / 1_000_000L;
                if (leftMs <= 0) {
                    return true;
                }
                try {
                    clock.wait(leftMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
            return false;
        }
    }

    private record Active(Schedule.Step step, List<NetnsCluster.Node> targets, String detail) {
    }

    private Active start(Schedule.Step step) {
        List<NetnsCluster.Node> order = new ArrayList<>();
        for (int index : step.nodes()) {
            order.add(nodes.all().get(index));
        }
        String detail = "";
        if (step.kind().leaderTargeted()) {
            NetnsCluster.Node leader = leader();
            if (leader != null) {
                order.remove(leader);
                order.add(0, leader);
                detail = "leader " + leader.id() + "; ";
            } else {
                detail = "no leader known, random target; ";
            }
        }
        List<NetnsCluster.Node> targets = Schedule.isPartition(step.kind()) ? order : List.of(order.get(0));
        String fault = step.kind().word();
        Op invoke = history.invoke(Op.NEMESIS, null, Op.START_PREFIX + fault,
                new OpValue.Fault(fault, ids(targets), detail.strip()));
        String error = null;
        try {
            detail += apply(step, order);
        } catch (RuntimeException e) {
            error = e.getMessage();
            log.line("nemesis: " + fault + " failed to start: " + e.getMessage());
        }
        history.complete(invoke, Op.Type.INFO, new OpValue.Fault(fault, ids(targets), detail.strip()), error);
        return new Active(step, order, detail);
    }

    private String apply(Schedule.Step step, List<NetnsCluster.Node> order) {
        NetnsCluster.Node target = order.get(0);
        switch (step.kind()) {
            case PARTITION_ONE, PARTITION_HALVES, PARTITION_RING, PARTITION_BRIDGE, LEADER_PARTITION -> {
                List<Integer> indices = new ArrayList<>();
                for (int i = 0; i < order.size(); i++) {
                    indices.add(i);
                }
                Map<String, Set<String>> grudge = new TreeMap<>();
                Schedule.grudge(step.kind(), indices).forEach((who, enemies) -> {
                    Set<String> names = new TreeSet<>();
                    enemies.forEach(e -> names.add(order.get(e).id()));
                    grudge.put(order.get(who).id(), names);
                });
                nodes.partition(grudge);
                return "drops " + grudge;
            }
            case KILL, LEADER_KILL -> {
                nodes.kill(target);
                return "killed " + target.id();
            }
            case PAUSE, LEADER_PAUSE -> {
                nodes.pause(target);
                return "paused " + target.id();
            }
            case CLOCK_SKEW -> {
                nodes.kill(target);
                nodes.start(target, step.faketime(), nodes.removed().contains(target.id()));
                return "restarted " + target.id() + " with FAKETIME=" + step.faketime();
            }
            case MEMBERSHIP, LEADER_MEMBERSHIP -> {
                String via = adminEndpoint(target);
                String failure = via == null ? "no member answers /admin/cluster" : client.removePeer(via, target.id());
                if (failure != null && via != null && !isMember(via, target)) {
                    // A removal that timed out may have landed; the group is what counts.
                    failure = null;
                }
                if (failure != null) {
                    throw new IllegalStateException("DELETE /admin/cluster/peers/" + target.id() + " via " + via + ": " + failure);
                }
                nodes.markRemoved(target, true);
                nodes.kill(target);
                nodes.wipe(target);
                return "removed " + target.id() + " via " + via;
            }
            default -> throw new IllegalStateException("unhandled fault " + step.kind());
        }
    }

    private void stopFault(Active active) {
        String fault = active.step().kind().word();
        NetnsCluster.Node target = active.targets().get(0);
        List<NetnsCluster.Node> targets = Schedule.isPartition(active.step().kind()) ? active.targets() : List.of(target);
        Op invoke = history.invoke(Op.NEMESIS, null, Op.STOP_PREFIX + fault, new OpValue.Fault(fault, ids(targets), ""));
        String error = null;
        String detail = "";
        try {
            detail = heal(active.step().kind(), target);
        } catch (RuntimeException e) {
            error = e.getMessage();
            log.line("nemesis: " + fault + " failed to stop: " + e.getMessage());
        }
        history.complete(invoke, Op.Type.INFO, new OpValue.Fault(fault, ids(targets), detail), error);
    }

    private String heal(Schedule.Kind kind, NetnsCluster.Node target) {
        switch (kind) {
            case PARTITION_ONE, PARTITION_HALVES, PARTITION_RING, PARTITION_BRIDGE, LEADER_PARTITION -> {
                nodes.heal();
                return "healed";
            }
            case KILL, LEADER_KILL -> {
                nodes.start(target, null, nodes.removed().contains(target.id()));
                return "restarted " + target.id();
            }
            case PAUSE, LEADER_PAUSE -> {
                nodes.resume(target);
                return "resumed " + target.id();
            }
            case CLOCK_SKEW -> {
                nodes.kill(target);
                nodes.start(target, null, nodes.removed().contains(target.id()));
                return "restarted " + target.id() + " on the real clock";
            }
            case MEMBERSHIP, LEADER_MEMBERSHIP -> {
                return readd(target);
            }
            default -> throw new IllegalStateException("unhandled fault " + kind);
        }
    }

    /**
     * Starts a removed node empty and adds it back through a member's admin endpoint, retrying for up
     * to {@link #READD_TIMEOUT_MS} (the new node's JVM may still be starting).
     */
    public String readd(NetnsCluster.Node target) {
        if (!nodes.alive(target)) {
            nodes.start(target, null, true);
        }
        long deadlineNs = System.nanoTime() + READD_TIMEOUT_MS * 1_000_000L;
        String failure;
        String via;
        int attempts = 0;
        do {
            attempts++;
            via = adminEndpoint(target);
            failure = via == null ? "no member answers /admin/cluster"
                    : client.addPeer(via, target.id(), nodes.raftAddress(target), nodes.httpAddress(target));
            if (failure != null && via != null && isMember(via, target)) {
                // An earlier attempt that timed out may have landed; the group is what counts.
                failure = null;
            }
            if (failure == null) {
                nodes.markRemoved(target, false);
                return "re-added " + target.id() + " via " + via + " (attempt " + attempts + ")";
            }
            log.line("nemesis: re-adding " + target.id() + " via " + via + ": " + failure);
        } while (System.nanoTime() < deadlineNs && pause(READD_RETRY_MS));
        throw new IllegalStateException("POST /admin/cluster/peers " + target.id() + " via " + via + " failed "
                + attempts + " times: " + failure);
    }

    private boolean pause(long ms) {
        synchronized (clock) {
            try {
                clock.wait(ms);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The group as {@code via} sees it lists {@code target} among its members. */
    private boolean isMember(String via, NetnsCluster.Node target) {
        JsonNode status = client.cluster(via);
        if (status != null) {
            for (JsonNode member : status.path("members")) {
                if (target.id().equals(member.path("id").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The http address of the leader, or of any other node that answers, for admin calls. */
    private String adminEndpoint(NetnsCluster.Node exclude) {
        NetnsCluster.Node leader = leader();
        if (leader != null && !leader.equals(exclude)) {
            return nodes.httpAddress(leader);
        }
        for (NetnsCluster.Node node : nodes.all()) {
            if (!node.equals(exclude) && client.cluster(nodes.httpAddress(node)) != null) {
                return nodes.httpAddress(node);
            }
        }
        return null;
    }

    /** Asks the nodes in turn who leads; null when none knows. */
    public NetnsCluster.Node leader() {
        for (NetnsCluster.Node node : nodes.all()) {
            JsonNode status = client.cluster(nodes.httpAddress(node));
            String leaderId = status == null ? "" : status.path("leaderId").asText("");
            if (!leaderId.isEmpty()) {
                for (NetnsCluster.Node candidate : nodes.all()) {
                    if (candidate.id().equals(leaderId)) {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    private static List<String> ids(List<NetnsCluster.Node> targets) {
        List<String> ids = new ArrayList<>();
        targets.forEach(t -> ids.add(t.id()));
        return ids;
    }
}
