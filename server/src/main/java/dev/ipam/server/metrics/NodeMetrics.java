package dev.ipam.server.metrics;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Reads;
import dev.ipam.core.Result;
import dev.ipam.core.model.IPPool;
import dev.ipam.core.model.Kind;
import dev.ipam.core.model.Resource;
import dev.ipam.core.store.ReadView;
import dev.ipam.ratis.IpamStateMachine;
import dev.ipam.server.Admin;
import dev.ipam.server.raft.RaftReplica;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ipamd's own metrics beside the HTTP ones, in the registry served at {@code /metrics}: what was
 * applied (claims and releases by result, commands per Raft entry), the Raft view (term, indexes,
 * leader changes, follower lag), snapshots taken and installed, disk use, and pool utilisation.
 *
 * <p>Every label is bounded: results by the core's reason enum, members by the group's size, pools
 * by {@link #POOLS_LABELLED_MAX} (the fullest pools by name, the rest summed under {@code _other}).
 * Pool figures come from a local read every {@link #POOL_SAMPLE_MS}, never from a scrape.
 */
public final class NodeMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);
    /** Pools given their own label value; the rest share {@code pool="_other"}. */
    public static final int POOLS_LABELLED_MAX = 20;
    /** Pools read per sample at most: the scan's bound on a very large installation. */
    public static final int POOLS_SCANNED_MAX = 100_000;
    public static final String OTHER_POOLS = "_other";
    public static final long POOL_SAMPLE_MS = 10_000;
    public static final long RAFT_SAMPLE_MS = 1_000;
    /** Files counted per directory size: a bound on the walk. */
    static final int DISK_FILES_MAX = 100_000;

    private final Admin admin;
    private final RaftReplica replica;
    private final Path dataDir;
    private final Counter claims;
    private final Counter releases;
    private final Histogram batchCommands;
    private final Counter leaderChanges;
    private final Counter snapshotsTaken;
    private final Counter snapshotsInstalled;
    private final Histogram snapshotSeconds;
    private final IpamStateMachine stateMachine;
    private final ScheduledExecutorService sampler;
    private volatile List<PoolSample> pools = List.of();
    private volatile String lastLeader;
    private volatile long lastTerm = -1;
    /** Commands applied in the entry at {@link #batchIndex}, counted on the apply thread only. */
    private long batchIndex = -1;
    private int batchSize;

    /** One pool's figures; {@code name} is {@code project/pool} or {@link #OTHER_POOLS}. */
    record PoolSample(String name, long total, long allocated) {
        double ratio() {
            return total == 0 ? 0 : (double) allocated / total;
        }
    }

    public NodeMetrics(PrometheusRegistry registry, Admin admin, RaftReplica replica, IpamStateMachine stateMachine, Path dataDir) {
        this(registry, admin, replica, stateMachine, dataDir, POOL_SAMPLE_MS);
    }

    /** As above, reading pools every {@code poolSampleMs} (tests sample faster). */
    public NodeMetrics(PrometheusRegistry registry, Admin admin, RaftReplica replica, IpamStateMachine stateMachine, Path dataDir,
                       long poolSampleMs) {
        this.admin = admin;
        this.replica = replica;
        this.stateMachine = stateMachine;
        this.dataDir = dataDir;
        LogContext.node(admin.status().self());
        claims = Counter.builder().name("ipam_claims_total")
                .help("Claim commands applied on this replica, by result (Success or the rejection reason)")
                .labelNames("result").register(registry);
        releases = Counter.builder().name("ipam_releases_total")
                .help("Release (claim delete) commands applied on this replica, by result")
                .labelNames("result").register(registry);
        batchCommands = Histogram.builder().name("ipam_batch_commands")
                .help("Commands per applied Raft entry (application-level group commit)")
                .classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry);
        leaderChanges = Counter.builder().name("ipam_raft_leader_changes_total")
                .help("Leader changes this node observed (sampled every second)").register(registry);
        snapshotsTaken = Counter.builder().name("ipam_snapshots_taken_total").help("Snapshots this node took").register(registry);
        snapshotsInstalled = Counter.builder().name("ipam_snapshots_installed_total")
                .help("Snapshots installed on this node from the leader").register(registry);
        snapshotSeconds = Histogram.builder().name("ipam_snapshot_duration_seconds")
                .help("Time to take or install a snapshot, by operation").labelNames("operation").classicOnly()
                .classicUpperBounds(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 120).register(registry);
        GaugeWithCallback.builder().name("ipam_raft_term").help("Current Raft term on this node")
                .callback(cb -> cb.call(admin.status().term())).register(registry);
        GaugeWithCallback.builder().name("ipam_raft_commit_index").help("Commit index this node knows")
                .callback(cb -> cb.call(admin.status().commitIndex())).register(registry);
        GaugeWithCallback.builder().name("ipam_raft_applied_index").help("Index this node applied")
                .callback(cb -> cb.call(admin.status().appliedIndex())).register(registry);
        GaugeWithCallback.builder().name("ipam_raft_is_leader").help("1 on the leader, 0 elsewhere")
                .callback(cb -> {
                    Admin.ClusterStatus status = admin.status();
                    cb.call(Objects.equals(status.self(), status.leaderId()) ? 1 : 0);
                }).register(registry);
        GaugeWithCallback.builder().name("ipam_raft_has_leader").help("1 when this node knows a leader (quorum)")
                .callback(cb -> cb.call(admin.status().leaderId() == null ? 0 : 1)).register(registry);
        CounterWithCallback.builder().name("ipam_raft_stuck_follower_handovers_total")
                .help("Leadership hand-overs this node made as leader because a follower answered but did not advance for 20 s")
                .callback(cb -> cb.call(admin.stuckFollowerHandOvers())).register(registry);
        CounterWithCallback.builder().name("ipam_raft_follower_rewinds_total")
                .help("Appends this node, as leader, resent from a follower's last matching entry because the follower held"
                        + " another leader's uncommitted entries (a few per such follower: late replies to earlier appends count too)")
                .callback(cb -> cb.call(admin.followerRewinds())).register(registry);
        GaugeWithCallback.builder().name("ipam_raft_members").help("Members of the Raft group as this node sees it")
                .callback(cb -> cb.call(admin.status().members().size())).register(registry);
        GaugeWithCallback.builder().name("ipam_raft_follower_lag_entries")
                .help("Entries a member is behind this node's commit index (known on the leader; -1 unknown)")
                .labelNames("member").callback(cb -> {
                    Admin.ClusterStatus status = admin.status();
                    for (Admin.Member member : status.members()) {
                        cb.call(member.matchIndex() < 0 ? -1 : Math.max(0, status.commitIndex() - member.matchIndex()), member.id());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("ipam_disk_bytes").help("Bytes on disk, by part (db = live RocksDB, raft = log and snapshots)")
                .labelNames("part").callback(cb -> {
                    cb.call(directoryBytes(dataDir.resolve("db")), "db");
                    cb.call(directoryBytes(dataDir.resolve("raft")), "raft");
                }).register(registry);
        GaugeWithCallback.builder().name("ipam_pool_utilization_ratio")
                .help("Allocated share of a pool's addresses; the " + POOLS_LABELLED_MAX + " fullest pools by name, the rest as _other")
                .labelNames("pool").callback(cb -> pools.forEach(p -> cb.call(p.ratio(), p.name()))).register(registry);
        GaugeWithCallback.builder().name("ipam_pool_addresses").help("Addresses in a pool, by state (allocated, total)")
                .labelNames("pool", "state").callback(cb -> pools.forEach(p -> {
                    cb.call(p.allocated(), p.name(), "allocated");
                    cb.call(p.total(), p.name(), "total");
                })).register(registry);
        replica.addApplyListener(this::applied);
        observeWriteStages(registry, replica, stateMachine);
        stateMachine.snapshotListener(new IpamStateMachine.SnapshotListener() {
            @Override
            public void taken(long index, long durationNanos) {
                snapshotsTaken.inc();
                snapshotSeconds.labelValues("take").observe(durationNanos / 1e9);
            }

            @Override
            public void installed(long index, long durationNanos) {
                snapshotsInstalled.inc();
                snapshotSeconds.labelValues("install").observe(durationNanos / 1e9);
            }
        });
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ipam-metrics-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sampleRaft, 0, RAFT_SAMPLE_MS, TimeUnit.MILLISECONDS);
        sampler.scheduleWithFixedDelay(this::samplePools, 0, poolSampleMs, TimeUnit.MILLISECONDS);
    }

    /**
     * {@code ipam_write_stage_seconds}: where a write's time goes, so that an operator can tell a slow
     * disk or a slow follower (committed) from a busy apply thread (applied) or a backlog in front of
     * Raft (queued). Stages that end in a reply or an answer are seen by the node that took the
     * write; committed by the leader; applied by every replica.
     */
    private static void observeWriteStages(PrometheusRegistry registry, RaftReplica replica, IpamStateMachine stateMachine) {
        Histogram stages = Histogram.builder().name("ipam_write_stage_seconds")
                .help("Where writes spend their time, by stage. queued: a command waiting for the batcher "
                        + "(per command, on the node that took it); replied: an entry from its submission to Raft "
                        + "to the reply (per entry, same node); committed: from the leader logging an entry to "
                        + "its apply starting (per entry, leader); applied: applying an entry (per entry, every "
                        + "replica); answered: from the reply to every command of the entry having its result "
                        + "(per entry, node that took it)")
                .labelNames("stage").classicOnly()
                .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
                .register(registry);
        DistributionDataPoint queued = stages.labelValues("queued");
        DistributionDataPoint replied = stages.labelValues("replied");
        DistributionDataPoint committed = stages.labelValues("committed");
        DistributionDataPoint applied = stages.labelValues("applied");
        DistributionDataPoint answered = stages.labelValues("answered");
        replica.writeTimings(new RaftReplica.WriteTimings() {
            @Override
            public void queued(long nanos) {
                queued.observe(nanos / 1e9);
            }

            @Override
            public void replied(long nanos) {
                replied.observe(nanos / 1e9);
            }

            @Override
            public void answered(long nanos) {
                answered.observe(nanos / 1e9);
            }
        });
        stateMachine.entryTimings((committedNanos, applyNanos) -> {
            if (committedNanos >= 0) {
                committed.observe(committedNanos / 1e9);
            }
            applied.observe(applyNanos / 1e9);
        });
    }

    /** On the apply thread, once per fresh command. */
    private void applied(long index, byte[] command, byte[] result) {
        if (index != batchIndex) {
            if (batchIndex >= 0) {
                batchCommands.observe(batchSize);
            }
            batchIndex = index;
            batchSize = 0;
        }
        batchSize++;
        // Runs on the apply thread for every command: read the command's tag and the result's head only.
        Class<? extends Command> type = Codec.claimCommandType(command).orElse(null);
        Counter counter = type == Command.CreateClaim.class ? claims : type == Command.DeleteClaim.class ? releases : null;
        if (counter != null) {
            Result.Outcome outcome = Codec.decodeOutcome(result);
            counter.labelValues(outcome.ok() ? "Success" : outcome.reason() == null ? "Unknown" : outcome.reason().name()).inc();
        }
    }

    private void sampleRaft() {
        try {
            Admin.ClusterStatus status = admin.status();
            String leader = status.leaderId();
            if (leader != null && lastLeader != null && !leader.equals(lastLeader)) {
                leaderChanges.inc();
            }
            if (leader != null) {
                lastLeader = leader;
            }
            if (status.term() != lastTerm) {
                lastTerm = status.term();
                LogContext.term(status.term());
            }
        } catch (RuntimeException e) {
            LOG.debug("sampling raft status failed", e);
        }
    }

    private void samplePools() {
        replica.read(false, snapshot -> poolsOf(snapshot.view())).whenComplete((sampled, error) -> {
            if (error != null) {
                LOG.debug("sampling pools failed", error);
            } else {
                pools = sampled;
            }
        });
    }

    /** The fullest pools (ties by name), then one {@code _other} sample summing the rest. */
    static List<PoolSample> poolsOf(ReadView view) {
        List<PoolSample> all = new ArrayList<>();
        String projectsFrom = null;
        do {
            Reads.Page projects = Reads.list(view, Kind.PROJECT, null, null, 1000, projectsFrom);
            for (Resource project : projects.items()) {
                String poolsFrom = null;
                do {
                    Reads.Page page = Reads.list(view, Kind.POOL, project.metadata().name(), null, 1000, poolsFrom);
                    for (Resource resource : page.items()) {
                        IPPool pool = (IPPool) resource;
                        if (pool.status() != null && pool.status().capacity() != null && all.size() < POOLS_SCANNED_MAX) {
                            all.add(new PoolSample(pool.project() + "/" + pool.metadata().name(),
                                    pool.status().capacity().total(), pool.status().capacity().allocated()));
                        }
                    }
                    poolsFrom = page.continueKey();
                } while (poolsFrom != null && all.size() < POOLS_SCANNED_MAX);
            }
            projectsFrom = projects.continueKey();
        } while (projectsFrom != null && all.size() < POOLS_SCANNED_MAX);
        all.sort(Comparator.comparingDouble(PoolSample::ratio).reversed().thenComparing(PoolSample::name));
        if (all.size() <= POOLS_LABELLED_MAX) {
            return List.copyOf(all);
        }
        List<PoolSample> top = new ArrayList<>(all.subList(0, POOLS_LABELLED_MAX));
        long total = 0;
        long allocated = 0;
        for (PoolSample rest : all.subList(POOLS_LABELLED_MAX, all.size())) {
            total += rest.total();
            allocated += rest.allocated();
        }
        top.add(new PoolSample(OTHER_POOLS, total, allocated));
        return top;
    }

    /**
     * Bytes in the regular files under {@code dir} (at most {@link #DISK_FILES_MAX} files), or 0 when
     * it does not exist. RocksDB and Ratis delete files while this walks (compaction, flushes,
     * snapshot pruning): a file that vanishes is skipped. Files.walk threw on one instead, and the
     * whole part read 0 (a CI run scraped {@code part="db"} as 0 just after a snapshot).
     */
    static long directoryBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] bytes = {0};
        int[] files = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile()) {
                        bytes[0] += attributes.size();
                    }
                    return ++files[0] >= DISK_FILES_MAX ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // deleted between listing and reading, or unreadable
                }
            });
        } catch (IOException e) {
            // only the visitor's own failures get here, and it has none: keep what was counted
        }
        return bytes[0];
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        replica.writeTimings(RaftReplica.WriteTimings.NONE);
        stateMachine.entryTimings(IpamStateMachine.EntryTimings.NONE);
    }
}
