package dev.ipam.server.raft;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the Raft side of a node needs, checked as a whole at start-up. Each field is also a
 * configuration key of ipamd (kebab-case: {@code batchCommandsMax} is {@code batch-commands-max}).
 *
 * @param self this node (its id and addresses)
 * @param peers the initial members including {@code self}, used only when the group is created;
 *     a restarted node takes membership from its log
 * @param join start with an empty group and wait to be added by an existing member
 * @param dataDir holds {@code raft/} (log, snapshots) and {@code db/} (the live RocksDB)
 * @param batchCommandsMax commands packed into one Raft entry at most
 * @param batchBytesMax encoded bytes of one Raft entry at most
 * @param batchLingerUs how long the batcher waits for more commands once it has one, while other entries
 *     are in flight and until one of them completes (0 = never); {@link #BATCH_LINGER_US_AUTO} (the
 *     default): by the group's current size, see {@link #batchLingerUsFor}
 * @param entriesInFlightMax batched entries submitted and not yet applied at most;
 *     {@link #ENTRIES_IN_FLIGHT_AUTO} (the default): by the group's current size, see {@link #entriesInFlightFor}
 * @param pendingCommandsMax commands waiting for a batch at most; beyond it submissions are refused
 * @param requestTimeoutMs a command or read not done by then fails as unavailable
 * @param snapshotAutoEntries take a snapshot automatically every this many log entries
 * @param logSegmentBytesMax size of one Raft log segment file (purge removes whole segments)
 * @param logPurgeGapEntries purge the log only when this many entries can go
 * @param logPreserveEntries entries kept behind the snapshot, so slightly lagging followers catch
 *     up from the log rather than by snapshot
 * @param requestRetentionEntries request ids are remembered this many log entries
 * @param unsafeStaleReads BROKEN ON PURPOSE, for the fault-injection (Jepsen) harness only: serve
 *     linearizable reads from local state without ReadIndex, so a partitioned old leader answers
 *     stale reads; never set it in production (default false)
 */
public record RaftSettings(
        Peer self,
        List<Peer> peers,
        boolean join,
        Path dataDir,
        String groupName,
        int electionTimeoutMinMs,
        int electionTimeoutMaxMs,
        int batchCommandsMax,
        int batchBytesMax,
        int batchLingerUs,
        int entriesInFlightMax,
        int pendingCommandsMax,
        int requestTimeoutMs,
        long snapshotAutoEntries,
        long logSegmentBytesMax,
        int logPurgeGapEntries,
        long logPreserveEntries,
        long requestRetentionEntries,
        boolean unsafeStaleReads) {

    public static final int ELECTION_TIMEOUT_MIN_MS_DEFAULT = 1000;
    public static final int ELECTION_TIMEOUT_MAX_MS_DEFAULT = 2000;

    /**
     * How long the batcher may wait for more commands while entries are in flight, in a group of
     * several members. Replication makes entries slow and CPU-bound there, and fuller entries are
     * cheaper: on 3 local nodes at c=16, 2,000 us gave 695-1,167 claims/s and p99 33-49 ms against
     * 492-653 claims/s and 48-58 ms with 200 us (two alternating pairs of runs, 2026-11-22). 6,000 us
     * then beat 2,000 at c=256 in 7 of 8 windows (3,475-5,691 against 2,990-5,225 claims/s), with c=16
     * unchanged (p99 28-35 ms against 30-36; four alternating pairs of fresh clusters, ops/README.md).
     * The wait ends as soon as an entry in flight completes, so a quiet group does not pay it.
     */
    public static final int BATCH_LINGER_US_GROUP = 6000;
    /**
     * The same alone: one node's entries complete in about a millisecond, and waiting longer for a
     * fuller one only idles its pipeline (c=16: 4,660-4,721 claims/s with 2,000 us, 5,616-6,042 with 200).
     */
    public static final int BATCH_LINGER_US_ALONE = 200;

    /**
     * batch-linger-us not set: the batcher follows the group's size as it is now, so a node started
     * alone and grown with add-peer lingers as a group member, and one shrunk to itself stops doing so.
     */
    public static final int BATCH_LINGER_US_AUTO = -1;

    /**
     * Entries in flight at most in a group of several members. Fewer, fuller entries cost the group
     * less per command: on 3 local nodes at c=256 (fresh clusters, 60 s warm-up, 20 s windows,
     * alternating, 2026-11-22), 2 gave 7,826 and 7,605 claims/s (about 100 commands per entry), 4 gave
     * 6,682 and 6,812 (about 82), 1 gave 7,410 and 7,353 (about 124); at c=16 p99 was 31-34 ms with 2
     * against 26-34 ms with 4 (ops/README.md).
     */
    public static final int ENTRIES_IN_FLIGHT_GROUP = 2;
    /** The same alone: one node's entries complete in about a millisecond; more of them keep its pipeline busy. */
    public static final int ENTRIES_IN_FLIGHT_ALONE = 4;
    /** entries-in-flight-max not set: follows the group's size as it is now, like the linger. */
    public static final int ENTRIES_IN_FLIGHT_AUTO = -1;

    /** The automatic in-flight limit in a group of {@code members} (itself included; 0 = not in a group yet). */
    public static int entriesInFlightFor(int members) {
        return members == 1 ? ENTRIES_IN_FLIGHT_ALONE : ENTRIES_IN_FLIGHT_GROUP;
    }

    /** The automatic linger in a group of {@code members} (itself included; 0 = not in a group yet). */
    public static int batchLingerUsFor(int members) {
        return members == 1 ? BATCH_LINGER_US_ALONE : BATCH_LINGER_US_GROUP;
    }

    /**
     * Defaults for a node: the 2-core-friendly election timeouts, batching on (lingering per
     * {@link #BATCH_LINGER_US_GROUP} or, while the group has one member, {@link #BATCH_LINGER_US_ALONE}),
     * snapshots every 10k entries.
     */
    public static RaftSettings defaults(Peer self, List<Peer> peers, Path dataDir) {
        return new RaftSettings(self, peers, false, dataDir, "ipam", ELECTION_TIMEOUT_MIN_MS_DEFAULT,
                ELECTION_TIMEOUT_MAX_MS_DEFAULT, 1024, 1024 * 1024, BATCH_LINGER_US_AUTO, ENTRIES_IN_FLIGHT_AUTO, 50_000, 10_000, 10_000,
                64L * 1024 * 1024, 1024, 1000, dev.ipam.ratis.IpamStateMachine.Options.REQUEST_RETENTION_ENTRIES_DEFAULT, false);
    }

    public RaftSettings {
        List<String> problems = new ArrayList<>();
        if (peers == null || (peers.isEmpty() && !join)) {
            problems.add("peers: empty; list every member as id=host:raftPort=host:httpPort (including this node), or set join=true");
            peers = List.of();
        }
        Set<String> ids = new HashSet<>();
        boolean selfListed = false;
        for (Peer peer : peers) {
            if (!ids.add(peer.id())) {
                problems.add("peers: id " + peer.id() + " appears twice; give every member its own id");
            }
            if (peer.id().equals(self.id())) {
                selfListed = true;
                if (!peer.raftAddress().equals(self.raftAddress())) {
                    problems.add("peers: " + peer.id() + " has raft address " + peer.raftAddress()
                            + " but raft-address is " + self.raftAddress() + "; make them equal");
                }
            }
        }
        if (!join && !selfListed) {
            problems.add("peers: this node (" + self.id() + ") is not listed; add it, or set join=true to be added later");
        }
        if (electionTimeoutMinMs < 100) {
            problems.add("election-timeout-min-ms=" + electionTimeoutMinMs + ": use at least 100 (1000 on a loaded 2-core machine)");
        }
        if (electionTimeoutMaxMs <= electionTimeoutMinMs) {
            problems.add("election-timeout-max-ms=" + electionTimeoutMaxMs + ": must exceed election-timeout-min-ms="
                    + electionTimeoutMinMs + " (use about twice it)");
        }
        if (batchCommandsMax < 1 || batchCommandsMax > dev.ipam.ratis.EntryFormat.COMMANDS_PER_ENTRY_MAX) {
            problems.add("batch-commands-max=" + batchCommandsMax + ": use 1.." + dev.ipam.ratis.EntryFormat.COMMANDS_PER_ENTRY_MAX);
        }
        if (batchBytesMax < 1024 || batchBytesMax > dev.ipam.ratis.EntryFormat.ENTRY_BYTES_MAX) {
            problems.add("batch-bytes-max=" + batchBytesMax + ": use 1024.." + dev.ipam.ratis.EntryFormat.ENTRY_BYTES_MAX);
        }
        if ((batchLingerUs < 0 || batchLingerUs > 100_000) && batchLingerUs != BATCH_LINGER_US_AUTO) {
            problems.add("batch-linger-us=" + batchLingerUs + ": use 0..100000, or -1 for the default (" + BATCH_LINGER_US_ALONE
                    + " alone, " + BATCH_LINGER_US_GROUP + " in a group, following the group's size)");
        }
        if ((entriesInFlightMax < 1 || entriesInFlightMax > 64) && entriesInFlightMax != ENTRIES_IN_FLIGHT_AUTO) {
            problems.add("entries-in-flight-max=" + entriesInFlightMax + ": use 1..64, or -1 for the default ("
                    + ENTRIES_IN_FLIGHT_ALONE + " alone, " + ENTRIES_IN_FLIGHT_GROUP + " in a group, following the group's size)");
        }
        if (pendingCommandsMax < 1) {
            problems.add("pending-commands-max=" + pendingCommandsMax + ": use at least 1");
        }
        if (requestTimeoutMs < 100) {
            problems.add("request-timeout-ms=" + requestTimeoutMs + ": use at least 100 (more than an election, e.g. 10000)");
        }
        if (snapshotAutoEntries < 1) {
            problems.add("snapshot-auto-entries=" + snapshotAutoEntries + ": use at least 1");
        }
        if (logSegmentBytesMax < 4096) {
            problems.add("log-segment-bytes-max=" + logSegmentBytesMax + ": use at least 4096");
        }
        if (logPurgeGapEntries < 1) {
            problems.add("log-purge-gap-entries=" + logPurgeGapEntries + ": use at least 1");
        }
        if (logPreserveEntries < 0) {
            problems.add("log-preserve-entries=" + logPreserveEntries + ": use 0 or more");
        }
        if (requestRetentionEntries < 1) {
            problems.add("request-retention-entries=" + requestRetentionEntries + ": use at least 1");
        }
        if (groupName == null || groupName.isBlank()) {
            problems.add("group-name: empty; every member must use the same name");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        peers = List.copyOf(peers);
    }

    public RaftSettings withJoin(boolean newJoin) {
        return new RaftSettings(self, peers, newJoin, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                batchCommandsMax, batchBytesMax, batchLingerUs, entriesInFlightMax, pendingCommandsMax, requestTimeoutMs,
                snapshotAutoEntries, logSegmentBytesMax, logPurgeGapEntries, logPreserveEntries, requestRetentionEntries, unsafeStaleReads);
    }

    /** For tests: frequent snapshots and small log segments, so purging and installs happen quickly. */
    public RaftSettings withSnapshots(long newSnapshotAutoEntries, long newLogSegmentBytesMax, int newLogPurgeGapEntries,
                                      long newLogPreserveEntries) {
        return new RaftSettings(self, peers, join, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                batchCommandsMax, batchBytesMax, batchLingerUs, entriesInFlightMax, pendingCommandsMax, requestTimeoutMs,
                newSnapshotAutoEntries, newLogSegmentBytesMax, newLogPurgeGapEntries, newLogPreserveEntries, requestRetentionEntries, unsafeStaleReads);
    }

    public RaftSettings withRequestRetentionEntries(long newRequestRetentionEntries) {
        return new RaftSettings(self, peers, join, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                batchCommandsMax, batchBytesMax, batchLingerUs, entriesInFlightMax, pendingCommandsMax, requestTimeoutMs,
                snapshotAutoEntries, logSegmentBytesMax, logPurgeGapEntries, logPreserveEntries, newRequestRetentionEntries, unsafeStaleReads);
    }

    public RaftSettings withPendingCommandsMax(int newPendingCommandsMax) {
        return new RaftSettings(self, peers, join, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                batchCommandsMax, batchBytesMax, batchLingerUs, entriesInFlightMax, newPendingCommandsMax, requestTimeoutMs,
                snapshotAutoEntries, logSegmentBytesMax, logPurgeGapEntries, logPreserveEntries, requestRetentionEntries, unsafeStaleReads);
    }

    public RaftSettings withBatching(int newBatchCommandsMax, int newBatchLingerUs) {
        return new RaftSettings(self, peers, join, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                newBatchCommandsMax, batchBytesMax, newBatchLingerUs, entriesInFlightMax, pendingCommandsMax, requestTimeoutMs,
                snapshotAutoEntries, logSegmentBytesMax, logPurgeGapEntries, logPreserveEntries, requestRetentionEntries, unsafeStaleReads);
    }

    public RaftSettings withEntriesInFlightMax(int newEntriesInFlightMax) {
        return new RaftSettings(self, peers, join, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                batchCommandsMax, batchBytesMax, batchLingerUs, newEntriesInFlightMax, pendingCommandsMax, requestTimeoutMs,
                snapshotAutoEntries, logSegmentBytesMax, logPurgeGapEntries, logPreserveEntries, requestRetentionEntries, unsafeStaleReads);
    }

    public RaftSettings withRequestTimeoutMs(int newRequestTimeoutMs) {
        return new RaftSettings(self, peers, join, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                batchCommandsMax, batchBytesMax, batchLingerUs, entriesInFlightMax, pendingCommandsMax, newRequestTimeoutMs,
                snapshotAutoEntries, logSegmentBytesMax, logPurgeGapEntries, logPreserveEntries, requestRetentionEntries, unsafeStaleReads);
    }

    /** For the fault-injection harness only: linearizable reads without ReadIndex (unsafe). */
    public RaftSettings withUnsafeStaleReads(boolean newUnsafeStaleReads) {
        return new RaftSettings(self, peers, join, dataDir, groupName, electionTimeoutMinMs, electionTimeoutMaxMs,
                batchCommandsMax, batchBytesMax, batchLingerUs, entriesInFlightMax, pendingCommandsMax, requestTimeoutMs,
                snapshotAutoEntries, logSegmentBytesMax, logPurgeGapEntries, logPreserveEntries, requestRetentionEntries,
                newUnsafeStaleReads);
    }
}
