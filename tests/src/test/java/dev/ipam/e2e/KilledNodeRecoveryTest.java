package dev.ipam.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipam.server.raft.TestPorts;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with SIGKILL comes back with everything it acknowledged. ipamd's live database has
 * no write-ahead log of its own (the Raft log is the durable record): what was applied since the last
 * flush of RocksDB's memtables is lost with the process and applied again from the Raft log at start.
 * The node runs as a process of its own, exactly as {@code bin/ipamd} starts it, with a snapshot every
 * {@link #SNAPSHOT_ENTRIES} entries, so the restart begins from a flushed state between snapshots.
 */
class KilledNodeRecoveryTest {
    private static final int CLAIMS = 150;
    private static final int SNAPSHOT_ENTRIES = 40;
    /** ipamd's start-up line: {@code live state at DIR applied through AppliedState[term=T, index=I, ...]}. */
    private static final Pattern OPENED_AT = Pattern.compile("live state at \\S+ applied through AppliedState\\[term=\\d+, index=(\\d+)");

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    @Timeout(300)
    void everyAcknowledgedClaimSurvivesAKillAndTheRestartAppliesTheLostTailAgain() throws Exception {
        int raftPort = TestPorts.free();
        int httpPort = TestPorts.free();
        String base = "http://127.0.0.1:" + httpPort;
        String plane = base + IpamdProcess.PROJECTS + "/crash/control-plane" + IpamdProcess.IPAM;
        Path data = temp.resolve("n1");

        IpamdProcess first = start(raftPort, httpPort, data, temp.resolve("first.log"));
        Map<String, String> cidrs = new LinkedHashMap<>();
        long appliedBeforeKill;
        try {
            first.awaitReady(http, "ipamd");
            assertEquals(201, send("POST", base + IpamdProcess.PROJECTS, "{\"apiVersion\":\"resourcemanager.miloapis.com/v1alpha1\","
                    + "\"kind\":\"Project\",\"metadata\":{\"name\":\"crash\"}}").statusCode());
            assertEquals(201, send("POST", plane + "/ippools", "{\"apiVersion\":\"ipam.miloapis.com/v1alpha1\",\"kind\":\"IPPool\","
                    + "\"metadata\":{\"name\":\"pool\"},\"spec\":{\"cidr\":\"10.20.0.0/16\",\"ipFamily\":\"IPv4\"}}").statusCode());
            for (int i = 0; i < CLAIMS; i++) {
                String name = "c" + i;
                HttpResponse<String> claim = send("POST", plane + "/namespaces/default/ipclaims", IpamdProcess.claimBody(name));
                assertEquals(201, claim.statusCode(), claim.body());
                cidrs.put(name, json.readTree(claim.body()).path("status").path("allocatedCIDR").asText());
            }
            appliedBeforeKill = appliedIndex(base);
        } finally {
            first.process.destroyForcibly(); // SIGKILL: no shutdown hook, no RocksDB close, no flush
            assertTrue(first.process.waitFor(30, TimeUnit.SECONDS), "the killed ipamd is gone");
        }

        Path secondLog = temp.resolve("second.log");
        IpamdProcess second = start(raftPort, httpPort, data, secondLog);
        try {
            second.awaitReady(http, "ipamd");
            // Ready means replayed: not the commit index recovered from the snapshot, the cluster's.
            long appliedWhenReady = appliedIndex(base);
            assertTrue(appliedWhenReady >= appliedBeforeKill, "ready with " + appliedWhenReady + " applied, behind the "
                    + appliedBeforeKill + " applied before the kill");
            Matcher opened = OPENED_AT.matcher(Files.readString(secondLog));
            assertTrue(opened.find(), "the start-up line names the index the live state was at");
            long openedAt = Long.parseLong(opened.group(1));
            // What was applied after the last flush was lost with the process: the replay is exercised.
            assertTrue(openedAt < appliedBeforeKill, "the live state reopened at " + openedAt
                    + ", behind the " + appliedBeforeKill + " applied before the kill");

            Set<String> seen = new HashSet<>();
            for (Map.Entry<String, String> claim : cidrs.entrySet()) {
                HttpResponse<String> got = send("GET", plane + "/namespaces/default/ipclaims/" + claim.getKey(), null);
                assertEquals(200, got.statusCode(), claim.getKey() + ": " + got.body());
                JsonNode status = json.readTree(got.body()).path("status");
                assertEquals("Bound", status.path("phase").asText(), claim.getKey());
                assertEquals(claim.getValue(), status.path("allocatedCIDR").asText(), claim.getKey() + " kept its block");
                assertTrue(seen.add(claim.getValue()), "no two claims share " + claim.getValue());
            }
            JsonNode pool = json.readTree(send("GET", plane + "/ippools/pool", null).body());
            assertEquals(CLAIMS, pool.path("status").path("capacity").path("allocated").asLong(),
                    "the pool's counters were not applied twice: " + pool.path("status"));

            HttpResponse<String> next = send("POST", plane + "/namespaces/default/ipclaims", IpamdProcess.claimBody("after"));
            assertEquals(201, next.statusCode(), next.body());
            String after = json.readTree(next.body()).path("status").path("allocatedCIDR").asText();
            assertFalse(seen.contains(after), "a claim after the restart got a new block, not " + after);
        } finally {
            second.stop();
        }
    }

    private static IpamdProcess start(int raftPort, int httpPort, Path data, Path log) throws IOException {
        return IpamdProcess.start(httpPort, log, List.of("--node-id", "n1", "--raft-address", "127.0.0.1:" + raftPort,
                "--data-dir", data.toString(), "--snapshot-auto-entries", Integer.toString(SNAPSHOT_ENTRIES)));
    }

    /** The applied index the node reports for itself ({@code GET /admin/cluster}). */
    private long appliedIndex(String base) throws Exception {
        HttpResponse<String> status = send("GET", base + "/admin/cluster", null);
        assertEquals(200, status.statusCode(), status.body());
        return json.readTree(status.body()).path("appliedIndex").asLong(-1);
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        return LocalCluster.send(http, method, url, body);
    }
}
