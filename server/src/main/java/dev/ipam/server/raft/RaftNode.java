package dev.ipam.server.raft;

import dev.ipam.core.Core;
import dev.ipam.ratis.IpamStateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ipamd node's Raft side, wired: the Ratis server (gRPC) running {@link IpamStateMachine} over
 * the given core, plus the {@link RaftReplica} and {@link RaftAdmin} the HTTP layer uses. Starts in
 * RECOVER mode: a node restarted on its data directory takes its membership and state from there.
 *
 * <p>A member's HTTP address travels inside the Raft configuration as the peer's data-stream address
 * (unused otherwise: ipamd does not use Ratis data streams), so every node can tell clients where
 * any member serves HTTP, including members added after start.
 */
public final class RaftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

    private final RaftSettings settings;
    private final RaftGroupId groupId;
    private final RaftPeerId selfId;
    private final IpamStateMachine stateMachine;
    private final RaftServer server;
    private final RaftServer.Division division;
    private final Clients clients;
    private final RaftReplica replica;
    private final RaftAdmin admin;
    private final FollowerWatch followerWatch;

    /** The gRPC parameters of server and clients: empty, or mutual TLS ({@link RaftTls}). */
    private final Parameters parameters;
    /** Appends this node, as leader, resent from a follower's last known match ({@link CatchUpAppender}). */
    private final LongAdder followerRewinds = new LongAdder();

    private RaftNode(RaftSettings settings, Core core, IpamStateMachine.Halt halt, RaftTls tls) throws IOException {
        ReadIndexReplacement.require();
        this.settings = settings;
        this.parameters = tls == null ? new Parameters() : tls.parameters();
        parameters.put(CatchUpAppender.REWINDS_KEY, followerRewinds, LongAdder.class);
        this.groupId = groupId(settings.groupName());
        this.selfId = RaftPeerId.valueOf(settings.self().id());
        this.stateMachine = new IpamStateMachine(core, settings.dataDir().resolve("db"),
                new IpamStateMachine.Options(settings.requestRetentionEntries(), settings.snapshotAutoEntries()), halt, System::currentTimeMillis);
        RaftProperties properties = serverProperties(settings);
        List<RaftPeer> peers = new ArrayList<>();
        for (Peer peer : settings.peers()) {
            peers.add(toRaftPeer(peer));
        }
        RaftGroup group = settings.join() ? RaftGroup.valueOf(groupId) : RaftGroup.valueOf(groupId, peers);
        this.server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setParameters(parameters)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        this.division = server.getDivision(groupId);
        this.clients = new Clients();
        this.replica = new RaftReplica(this, settings, core);
        this.admin = new RaftAdmin(this, settings);
        this.followerWatch = new FollowerWatch(this, settings);
        if (settings.unsafeStaleReads()) {
            LOG.warn("UNSAFE: node {} runs with unsafe-stale-reads=true: linearizable reads are served from local state"
                    + " WITHOUT ReadIndex and may return stale data. This mode exists only for the fault-injection (Jepsen)"
                    + " harness to prove its checker catches stale reads; never use it in production.", selfId);
        }
        LOG.info("node {} started: raft {} group {} ({}), peers {}", selfId, settings.self().raftAddress(),
                settings.groupName(), groupId, settings.join() ? "(joining)" : settings.peers());
    }

    /** Starts the node; a failure leaves nothing running. */
    public static RaftNode start(RaftSettings settings, Core core, IpamStateMachine.Halt halt) {
        return start(settings, core, halt, null);
    }

    /** As above, with mutual TLS between peers when {@code tls} is not null. */
    public static RaftNode start(RaftSettings settings, Core core, IpamStateMachine.Halt halt, RaftTls tls) {
        try {
            return new RaftNode(settings, core, halt, tls);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start raft node " + settings.self().id() + ": " + e.getMessage(), e);
        }
    }

    public static RaftGroupId groupId(String groupName) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("ipam-group:" + groupName).getBytes(StandardCharsets.UTF_8)));
    }

    static RaftPeer toRaftPeer(Peer peer) {
        return RaftPeer.newBuilder().setId(peer.id()).setAddress(peer.raftAddress()).setDataStreamAddress(peer.httpAddress()).build();
    }

    static Peer fromRaftPeer(RaftPeer peer) {
        return new Peer(peer.getId().toString(), peer.getAddress(),
                peer.getDataStreamAddress() == null ? peer.getAddress() : peer.getDataStreamAddress());
    }

    /**
     * How long a leader's appender waits before it tries a follower again after consecutive errors
     * (timeouts, a connection refused, an INCONSISTENCY reply): 1 ms for ten, then 1 s. Ratis' default
     * ("1ms,10, 1s,20, 5s,1000") waits 5 s from the 31st, and the count only resets on a successful
     * append. A partition of half a minute reaches that stage, so each of the few appends that bring
     * the follower back once it heals waited 5 s (CatchUpAppender). A follower that is down is then
     * tried once a second instead of once every 5 s; each try is one failed connection or one timed-out
     * request. Past 1,010 errors Ratis stops sleeping and paces tries by the heartbeat, as it does
     * after its default's 1,030.
     */
    static final String APPENDER_RETRY_POLICY = "1ms,10, 1s,1000";

    /** The least time between two appendEntries to one follower (see serverProperties). */
    static final TimeDuration APPENDER_WAIT_MIN = TimeDuration.valueOf(1, TimeUnit.MILLISECONDS);
    /** Per snapshot chunk in flight; Ratis waits up to 8 of them (see serverProperties). */
    static final TimeDuration INSTALL_SNAPSHOT_CHUNK_TIMEOUT = TimeDuration.valueOf(1, TimeUnit.SECONDS);
    static final SizeInBytes INSTALL_SNAPSHOT_CHUNK_MAX = SizeInBytes.valueOf("4MB");

    /** How long a Raft RPC (or a client's request) waits before it is resent: two election timeouts, at least 3 s. */
    static TimeDuration rpcRequestTimeout(RaftSettings settings) {
        return TimeDuration.valueOf(Math.max(3000, settings.electionTimeoutMaxMs() * 2L), TimeUnit.MILLISECONDS);
    }

    /** How long Ratis keeps an entry's reply for a resend of its request: two request timeouts. */
    static TimeDuration retryCacheExpiry(RaftSettings settings) {
        return rpcRequestTimeout(settings).multiply(2);
    }

    static RaftProperties serverProperties(RaftSettings settings) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(settings.dataDir().resolve("raft").toFile()));
        // Ratis' gRPC transport with one change in the leader's appender: see CatchUpAppender.
        RaftConfigKeys.Rpc.setType(p, new CatchUpAppender.Rpc());
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, APPENDER_RETRY_POLICY);
        GrpcConfigKeys.Server.setHost(p, Peer.host(settings.self().raftAddress()));
        GrpcConfigKeys.Server.setPort(p, Peer.port(settings.self().raftAddress()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(settings.electionTimeoutMinMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(settings.electionTimeoutMaxMs(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, rpcRequestTimeout(settings));
        // Ratis' retry cache keeps every entry's reply, on every node, for this long (60 s by
        // default) so that a Ratis client resending a request gets the first reply. Exactly-once does
        // not rest on it (applied request ids do, in the state), and a reply carries the answers of
        // all the entry's commands: at ~17,000 claims/s on one node, 60 s of them were 59,000
        // replies and 400 MB of a 1 GiB heap, promoted and collected again and again. Two request
        // timeouts still cover a client's resend of an entry in flight.
        RaftServerConfigKeys.RetryCache.setExpiryTime(p, retryCacheExpiry(settings));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        // Pinned, not left to defaults: a leader confirms each read with a majority (ipamd's
        // ReadIndexHeartbeats) at its commit index. A lease would trust clocks and skip that round.
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, false);
        RaftServerConfigKeys.Read.setLeaderHeartbeatCheckEnabled(p, true);
        RaftServerConfigKeys.Read.ReadIndex.setType(p, RaftServerConfigKeys.Read.ReadIndex.Type.COMMIT_INDEX);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, settings.snapshotAutoEntries());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, settings.logPurgeGapEntries());
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, settings.logPreserveEntries());
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(settings.logSegmentBytesMax()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(4L * 1024 * 1024, settings.logSegmentBytesMax())));
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        // Ratis 3.3.0: an installation begun while the follower is down sends its first chunks (up to
        // the element limit, 8) into a dead stream, then blocks on the 9th until those chunks time
        // out, and a checkpoint is more than 8 files. A chunk's timeout is element limit x this
        // request timeout, and the wait can take two of them. At the general request timeout (4 s)
        // a follower back from maintenance waited 32-64 s for its snapshot. At 1 s it waits 8-16 s.
        // Smaller chunks keep the 8 chunks in flight (32 MiB) well inside that timeout on any LAN.
        // The follower answers the last chunk only after loading the snapshot, so this also bounds
        // that load. If the load takes longer, the leader sends the snapshot once more.
        GrpcConfigKeys.Server.setInstallSnapshotRequestTimeout(p, INSTALL_SNAPSHOT_CHUNK_TIMEOUT);
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, INSTALL_SNAPSHOT_CHUNK_MAX);
        // Ratis sleeps at least 10 ms between two appendEntries to a follower by default, which caps a
        // follower at ~100 appends/s and adds latency (3 nodes, c=1: p50 11.1 ms at 10 ms, 8.6 ms at 0).
        // Zero is not safe: Ratis added the wait because a slow or recovering follower then receives a
        // storm of appends it rejects as inconsistent (RATIS-1674), and a follower that stayed behind for
        // a whole recovery window after a healed partition was seen here with it. 1 ms keeps most of the
        // latency and still paces a follower that is catching up.
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, APPENDER_WAIT_MIN);
        // No commit-index metadata entries in the log (as Ozone): one write less per commit; a
        // restarted follower learns the commit index from the leader instead.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        return p;
    }

    RaftProperties clientProperties() {
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, rpcRequestTimeout(settings));
        return p;
    }

    public RaftReplica replica() {
        return replica;
    }

    public RaftAdmin admin() {
        return admin;
    }

    public IpamStateMachine stateMachine() {
        return stateMachine;
    }

    public String id() {
        return settings.self().id();
    }

    RaftServer server() {
        return server;
    }

    RaftServer.Division division() {
        return division;
    }

    RaftGroupId groupIdValue() {
        return groupId;
    }

    RaftPeerId selfId() {
        return selfId;
    }

    /** A Ratis client for the current membership (rebuilt when it changes). */
    RaftClient client() {
        return clients.current();
    }

    /**
     * A new client for one call (the caller closes it): the members this node knows (old and new
     * of a transitional configuration), the leader it knows first, at most {@code retries} retries.
     */
    RaftClient newClient(int retries) {
        List<RaftPeer> peers = new ArrayList<>(division.getRaftConf().getAllPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.FOLLOWER));
        RaftClient.Builder builder = RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(RaftGroup.valueOf(groupId, peers))
                .setProperties(clientProperties())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(retries, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
        RaftPeerId leader = division.getInfo().getLeaderId();
        if (leader != null && peers.stream().anyMatch(p -> p.getId().equals(leader))) {
            builder.setLeaderId(leader);
        }
        return builder.build();
    }

    /**
     * Asks the leader to hand leadership to {@code target}, through a short-lived client with at most
     * {@code retries} retries (the shared client's long retry policy would hold the caller for its
     * whole budget).
     */
    RaftClientReply transferLeadership(String target, long timeoutMs, int retries) throws IOException {
        try (RaftClient client = newClient(retries)) {
            return client.admin().transferLeadership(RaftPeerId.valueOf(target), timeoutMs);
        }
    }

    /** Appends resent from a follower's last known match, as {@link CatchUpAppender} does. */
    long followerRewinds() {
        return followerRewinds.sum();
    }

    /** Leadership hand-overs asked by this node's {@link FollowerWatch}. */
    long stuckFollowerHandOvers() {
        return followerWatch.handOvers();
    }

    /** The current members as this node knows them. */
    List<Peer> members() {
        List<Peer> members = new ArrayList<>();
        for (RaftPeer peer : division.getRaftConf().getCurrentPeers()) {
            members.add(fromRaftPeer(peer));
        }
        members.sort(java.util.Comparator.comparing(Peer::id));
        return members;
    }

    @Override
    public void close() {
        followerWatch.close();
        replica.close();
        admin.close();
        clients.close();
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing raft server {}", selfId, e);
        }
    }

    /** Keeps one RaftClient per membership: a client only knows the peers it was built with. */
    private final class Clients implements AutoCloseable {
        private Collection<RaftPeer> peers = List.of();
        private RaftClient client;

        private Object conf;

        synchronized RaftClient current() {
            Object currentConf = division.getRaftConf();
            if (client != null && currentConf == conf) {
                return client;
            }
            conf = currentConf;
            Collection<RaftPeer> now = division.getRaftConf().getCurrentPeers();
            if (client == null || !new java.util.HashSet<>(now).equals(new java.util.HashSet<>(peers))) {
                if (client != null) {
                    closeQuietly(client);
                }
                peers = List.copyOf(now);
                RaftClient.Builder builder = RaftClient.newBuilder()
                        .setClientId(ClientId.randomId())
                        .setRaftGroup(RaftGroup.valueOf(groupId, peers))
                        .setProperties(clientProperties())
                        .setClientRpc(new GrpcFactory(parameters).newRaftClientRpc(ClientId.randomId(), clientProperties()))
                        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                                Math.max(3, settings.requestTimeoutMs() / 200), TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
                RaftPeerId leader = division.getInfo().getLeaderId();
                if (leader != null) {
                    builder.setLeaderId(leader);
                }
                client = builder.build();
            }
            return client;
        }

        @Override
        public synchronized void close() {
            if (client != null) {
                closeQuietly(client);
                client = null;
            }
        }

        private void closeQuietly(RaftClient c) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing raft client", e);
            }
        }
    }
}
