package dev.ipam.server.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Codec;
import dev.ipam.core.Command;
import dev.ipam.core.Harness;
import dev.ipam.core.Ipam;
import dev.ipam.core.Result;
import dev.ipam.core.model.IPClaim;
import dev.ipam.core.model.IPFamily;
import dev.ipam.core.store.Cursor;
import dev.ipam.core.store.Entry;
import dev.ipam.core.store.Space;
import dev.ipam.server.backup.BackupFile;
import dev.ipam.server.backup.Restore;
import dev.ipam.server.http.ApiConfig;
import dev.ipam.server.http.ApiServer;
import dev.ipam.store.rocks.NativeLibrary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup over HTTP from a running 3-node cluster, restore into a NEW 3-node cluster: the restored
 * state equals the source's at the backup's log index, the new log continues after it, and damaged
 * files or non-empty data directories are refused before anything changes.
 */
class BackupRestoreTest {
    private static final long TIMEOUT_MS = 30_000;
    private static final String PROJECT = "p";
    private static final String POOL = "pool";
    /** Claims before the backup: enough that the backup is several times the node's send buffer. */
    private static final int CLAIMS = 1_200;
    /** OpsRoutes.BUFFER_BYTES_MAX: the most of a backup a node may hold for the network at once. */
    private static final long NODE_BUFFER_BYTES_MAX = 4L * BackupFile.FRAME_BYTES;
    /** A restore batch far smaller than the backup, so loading it takes many slices. */
    private static final long RESTORE_BATCH_BYTES = 64 * 1024;

    @TempDir
    Path temp;
    private TestCluster source;
    private TestCluster restored;
    private ApiServer http;

    @AfterEach
    void tearDown() {
        if (http != null) {
            http.close();
        }
        for (TestCluster cluster : new TestCluster[] {source, restored}) {
            if (cluster != null) {
                cluster.close();
                assertEquals(List.of(), cluster.fatal, "no replica may fail to apply");
            }
        }
    }

    private static Result run(RaftNode node, String requestId, Command command) {
        return Codec.decodeResult(node.replica().submit(requestId, Codec.encodeCommand(command))
                .orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().result());
    }

    private static Set<String> claim(RaftNode node, String prefix, int count) {
        List<CompletableFuture<dev.ipam.server.Replica.Applied>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(node.replica().submit("req-" + prefix + i,
                    Codec.encodeCommand(Harness.claim(PROJECT, prefix + i, IPFamily.IPv4, 28, POOL))));
        }
        Set<String> cidrs = new HashSet<>();
        for (var future : futures) {
            Result result = Codec.decodeResult(future.orTimeout(TIMEOUT_MS, TimeUnit.MILLISECONDS).join().result());
            assertTrue(result.ok(), result.message());
            cidrs.add(((IPClaim) result.object()).status().allocatedCIDR());
        }
        return cidrs;
    }

    /** SHA-256 over every space but META (which records Raft progress, not IPAM state) and the index read at. */
    private static String[] stateDigest(RaftNode node) {
        return node.stateMachine().read((view, index) -> {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (Space space : Space.values()) {
                    if (space == Space.META) {
                        continue;
                    }
                    try (Cursor cursor = view.scan(space, null, null)) {
                        for (Entry e = cursor.next(); e != null; e = cursor.next()) {
                            sha.update(ByteBuffer.allocate(12).putInt(space.id).putInt(e.key().length).putInt(e.value().length).array());
                            sha.update(e.key());
                            sha.update(e.value());
                        }
                    }
                }
                return new String[] {HexFormat.of().formatHex(sha.digest()), Long.toString(index)};
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private byte[] backupOverHttp() throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http.port() + "/admin/backup")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        return response.body();
    }

    @Test
    void backupFromALiveClusterRestoresIntoANewClusterAtItsLogIndex() throws Exception {
        source = new TestCluster(temp.resolve("source"), 3, Ipam::new, s -> s);
        source.startAll();
        RaftNode leader = source.awaitLeader(TIMEOUT_MS);
        RaftNode follower = source.anyFollower();
        assertTrue(run(leader, "project", Harness.project(PROJECT)).ok());
        assertTrue(run(leader, "pool", Harness.pool(PROJECT, POOL, "10.0.0.0/16")).ok());
        Set<String> before = claim(follower, "a", CLAIMS);
        // The backup is served by a follower: its linearizable read point covers every claim above.
        http = new ApiServer(ApiConfig.defaults(0).withHost("127.0.0.1"), follower.replica(), follower.admin()).start();
        byte[] backup = backupOverHttp();
        Path file = temp.resolve("cluster.ipambackup");
        Files.write(file, backup);
        BackupFile.Header header = BackupFile.verify(file);
        String[] atBackup = stateDigest(follower);
        assertEquals(Long.toString(header.logIndex()), atBackup[1], "no write ran between the backup and the digest");
        Set<String> after = claim(leader, "b", 10);
        System.out.println("backup: " + backup.length + " bytes at log index " + header.logIndex() + ", sha256 " + header.sha256());
        assertEquals(BackupFile.VERSION, header.version());

        // Streamed, not built in memory: the node never held more than its send buffer of a backup
        // several times larger (the metric is the BackupStream's own high-water mark).
        assertTrue(backup.length > 4 * NODE_BUFFER_BYTES_MAX, "backup of " + backup.length + " bytes is not large enough to show streaming");
        String metrics = new String(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http.port() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()).body(), java.nio.charset.StandardCharsets.UTF_8);
        PromText scraped = PromText.parse(metrics);
        assertEquals(1.0, scraped.value("ipam_backups_total", "result", "ok"), metrics);
        assertEquals(backup.length, scraped.value("ipam_backup_bytes_total"));
        double buffered = scraped.value("ipam_backup_buffered_bytes_max");
        assertTrue(buffered > 0 && buffered <= NODE_BUFFER_BYTES_MAX, "node buffered " + buffered + " bytes of the backup at once");

        // A client that hangs up mid-backup frees the node's one backup slot (and its read thread):
        // the next backup is served, whole.
        HttpClient hangsUp = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> cut = hangsUp.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http.port() + "/admin/backup")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, cut.statusCode());
        assertEquals(1000, cut.body().readNBytes(1000).length);
        cut.body().close();
        byte[][] again = new byte[1][];
        TestCluster.awaitTrue(() -> {
            try {
                HttpResponse<byte[]> next = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + http.port() + "/admin/backup")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                again[0] = next.body();
                return next.statusCode() == 200; // 429 while the cut one still holds the slot
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, TIMEOUT_MS, () -> "no backup served after a client hung up");
        Path second = temp.resolve("second.ipambackup");
        Files.write(second, again[0]);
        assertTrue(BackupFile.verify(second).logIndex() >= header.logIndex());

        // Damaged files are refused before anything is written.
        Path corrupt = temp.resolve("corrupt.ipambackup");
        byte[] flipped = backup.clone();
        flipped[flipped.length / 2] ^= 0x40;
        Files.write(corrupt, flipped);
        Path corruptDir = temp.resolve("corrupt-node");
        BackupFile.Invalid corruptError = assertThrows(BackupFile.Invalid.class, () -> Restore.seed(corrupt, corruptDir, "ipam"));
        assertTrue(corruptError.getMessage().contains("corrupt"), corruptError.getMessage());
        assertFalse(Files.exists(corruptDir), "nothing written for a corrupt backup");
        Path truncated = temp.resolve("truncated.ipambackup");
        Files.write(truncated, java.util.Arrays.copyOf(backup, backup.length - 100));
        BackupFile.Invalid truncatedError = assertThrows(BackupFile.Invalid.class, () -> Restore.seed(truncated, corruptDir, "ipam"));
        assertTrue(truncatedError.getMessage().contains("truncated"), truncatedError.getMessage());
        assertFalse(Files.exists(corruptDir), "nothing written for a truncated backup");
        // A node that holds data (here a live one) is never overwritten.
        IOException live = assertThrows(IOException.class, () -> Restore.seed(file, source.root.resolve(leader.id()), "ipam"));
        assertTrue(live.getMessage().contains("not empty"), live.getMessage());

        // A new cluster: every node seeded from the same file, then started.
        restored = new TestCluster(temp.resolve("restored"), 3, Ipam::new, s -> s);
        // ipamd unpacks RocksDB's library into the data directory before it restores: not data.
        Files.createDirectories(restored.root.resolve(restored.peers.values().iterator().next().id()).resolve(NativeLibrary.DIRECTORY));
        for (Peer peer : restored.peers.values()) {
            // Loaded in slices far smaller than the state: a restore's memory does not grow with the backup.
            List<Long> loaded = new ArrayList<>();
            Restore.Restored seeded = Restore.seed(file, restored.root.resolve(peer.id()), "ipam", RESTORE_BATCH_BYTES, loaded::add);
            assertEquals(seeded.batches(), loaded.size(), "progress after every batch");
            assertTrue(loaded.get(loaded.size() - 1) > header.exportBytes() / 2, "progress counts the bytes loaded: " + loaded);
            assertEquals(header.logIndex(), seeded.logIndex());
            assertTrue(seeded.batches() >= backup.length / RESTORE_BATCH_BYTES / 2, "loaded in " + seeded.batches() + " batches");
        }
        restored.startAll();
        RaftNode newLeader = restored.awaitLeader(TIMEOUT_MS);
        for (RaftNode node : restored.running.values()) {
            assertEquals(atBackup[0], stateDigest(node)[0], "restored " + node.id() + " equals the source at index " + header.logIndex());
        }
        // The new log continues after the backup's index, and the restored allocations are respected.
        Set<String> fresh = claim(newLeader, "b", 10);
        assertTrue(newLeader.stateMachine().appliedState().index() > header.logIndex());
        for (String cidr : fresh) {
            assertFalse(before.contains(cidr), cidr + " was allocated before the backup and handed out again");
        }
        assertEquals(after.size(), fresh.size());
        restored.awaitConverged(newLeader.stateMachine().appliedState().index(), TIMEOUT_MS);
        assertEquals(1, new HashSet<>(restored.digests().values()).size(), "restored replicas converge");
    }
}
