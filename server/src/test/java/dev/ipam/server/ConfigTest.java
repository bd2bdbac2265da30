package dev.ipam.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.server.raft.RaftSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigTest {
    @TempDir
    Path temp;

    @Test
    void noSettingsRunASingleNodeOnLoopback() {
        Config config = Config.load(null, Map.of());
        assertEquals("node1", config.raft().self().id());
        assertEquals("127.0.0.1:9860", config.raft().self().raftAddress());
        assertEquals("127.0.0.1:8080", config.httpAddress());
        assertEquals(List.of(config.raft().self()), config.raft().peers());
        assertEquals(Path.of("data/node1"), config.raft().dataDir());
        assertFalse(config.raft().join());
        assertEquals(1000, config.raft().electionTimeoutMinMs());
        assertFalse(config.raft().unsafeStaleReads(), "the broken read mode is off unless asked for");
    }

    @Test
    void theBatchLingerFollowsTheGroupUnlessSet() {
        String group = "n1=127.0.0.1:9861=127.0.0.1:8081,n2=127.0.0.1:9862=127.0.0.1:8082,n3=127.0.0.1:9863=127.0.0.1:8083";
        assertEquals(RaftSettings.BATCH_LINGER_US_AUTO, Config.load(null, Map.of()).raft().batchLingerUs(), "a node alone");
        assertEquals(RaftSettings.BATCH_LINGER_US_AUTO, Config.load(null, Map.of("node-id", "n1", "raft-address",
                "127.0.0.1:9861", "http-address", "127.0.0.1:8081", "peers", group)).raft().batchLingerUs(), "a member of three");
        assertEquals(500, Config.load(null, Map.of("node-id", "n1", "raft-address", "127.0.0.1:9861",
                "http-address", "127.0.0.1:8081", "peers", group, "batch-linger-us", "500")).raft().batchLingerUs(),
                "the setting wins");
        assertEquals(200, RaftSettings.batchLingerUsFor(1), "alone");
        assertEquals(6000, RaftSettings.batchLingerUsFor(3), "in a group");
        assertEquals(6000, RaftSettings.batchLingerUsFor(0), "joining, not in a group yet");
    }

    @Test
    void theInFlightLimitFollowsTheGroupUnlessSet() {
        assertEquals(RaftSettings.ENTRIES_IN_FLIGHT_AUTO, Config.load(null, Map.of()).raft().entriesInFlightMax());
        assertEquals(3, Config.load(null, Map.of("entries-in-flight-max", "3")).raft().entriesInFlightMax(), "the setting wins");
        assertEquals(4, RaftSettings.entriesInFlightFor(1), "alone");
        assertEquals(2, RaftSettings.entriesInFlightFor(3), "in a group");
        assertEquals(2, RaftSettings.entriesInFlightFor(0), "joining, not in a group yet");
        assertMessage(Map.of("entries-in-flight-max", "0"), "entries-in-flight-max=0: use 1..64, or -1 for the default (4 alone, 2 in a group");
    }

    @Test
    void httpWorkerThreadsCanBeSet() {
        Config defaults = Config.load(null, Map.of());
        assertEquals(8, defaults.httpWorkerThreads());
        assertEquals(defaults.httpWorkerThreads(), Main.apiConfig(defaults).workerThreads());
        Config three = Config.load(null, Map.of("http-worker-threads", "3"));
        assertEquals(3, three.httpWorkerThreads());
        assertEquals(3, Main.apiConfig(three).workerThreads(), "the setting reaches the HTTP server");
        assertMessage(Map.of("http-worker-threads", "0"), "http-worker-threads=0: use 1..1024");
        assertMessage(Map.of("http-worker-threads", "2000"), "http-worker-threads=2000: use 1..1024");
        assertMessage(Map.of("http-worker-threads", "two"), "http-worker-threads='two' is not a whole number");
    }

    @Test
    void theUnsafeStaleReadModeIsOnlyOnWhenAskedFor() {
        assertTrue(Config.load(null, Map.of("unsafe-stale-reads", "true")).raft().unsafeStaleReads());
        assertFalse(Config.load(null, Map.of("unsafe-stale-reads", "false")).raft().unsafeStaleReads());
        assertMessage(Map.of("unsafe-stale-reads", "yes please"), "unsafe-stale-reads='yes please' must be true or false");
    }

    @Test
    void flagsOverrideThePropertiesFile() throws Exception {
        Path file = temp.resolve("ipamd.properties");
        Files.writeString(file, """
                node-id=n2
                raft-address=127.0.0.1:9862
                http-address=127.0.0.1:8082
                peers=n1=127.0.0.1:9861=127.0.0.1:8081,n2=127.0.0.1:9862=127.0.0.1:8082
                batch-commands-max=100
                """);
        Map<String, String> flags = new HashMap<>();
        flags.put("batch-commands-max", "50");
        Config config = Config.load(file, flags);
        assertEquals("n2", config.raft().self().id());
        assertEquals(2, config.raft().peers().size());
        assertEquals(50, config.raft().batchCommandsMax());
        assertEquals(Path.of("data/n2"), config.raft().dataDir());
    }

    @Test
    void yamlFilesWork() throws Exception {
        Path file = temp.resolve("ipamd.yaml");
        Files.writeString(file, """
                node-id: n1
                raft-address: 127.0.0.1:9861
                http-address: 127.0.0.1:8081
                peers:
                  - n1=127.0.0.1:9861=127.0.0.1:8081
                  - n2=127.0.0.1:9862=127.0.0.1:8082
                election-timeout-min-ms: 1500
                election-timeout-max-ms: 3000
                """);
        Config config = Config.load(file, Map.of());
        assertEquals(2, config.raft().peers().size());
        assertEquals(1500, config.raft().electionTimeoutMinMs());
    }

    @Test
    void badSettingsNameTheSettingAndTheFix() {
        assertMessage(Map.of("batch-commands-max", "many"), "batch-commands-max='many' is not a whole number");
        assertMessage(Map.of("election-timeout-min-ms", "3000"), "election-timeout-max-ms=2000: must exceed election-timeout-min-ms=3000");
        assertMessage(Map.of("peers", "n9=127.0.0.1:1=127.0.0.1:2"), "peers: this node (node1) is not listed");
        assertMessage(Map.of("peers", "n1=127.0.0.1:99999=127.0.0.1:2"), "port must be 1..65535");
        assertMessage(Map.of("batch-linger-us", "-2"), "batch-linger-us=-2");
        assertMessage(Map.of("join", "maybe"), "join='maybe' must be true or false");
        assertMessage(Map.of("colour", "blue"), "unknown setting 'colour'");
        assertMessage(Map.of("tls-keystore", "/nonexistent.p12"), "tls-keystore=/nonexistent.p12 needs its password");
    }

    private static void assertMessage(Map<String, String> flags, String expected) {
        Config.Invalid invalid = assertThrows(Config.Invalid.class, () -> Config.load(null, flags));
        assertTrue(invalid.getMessage().contains(expected), invalid.getMessage());
    }

    @Test
    void ipamdExitsWithTheBadSettingNamed() {
        assertExit("election-timeout-min-ms=50", "--election-timeout-min-ms", "50");
        assertExit("auth-tokens-file=", "--auth-tokens-file", temp.resolve("missing-tokens").toString());
    }

    private static void assertExit(String expected, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream previous = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Main()).execute(args);
        } finally {
            System.setErr(previous);
        }
        assertEquals(Main.EXIT_BAD_SETTING, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(expected), err.toString(StandardCharsets.UTF_8));
    }
}
