package dev.ipam.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.core.Ipam;
import dev.ipam.server.http.ApiConfig;
import dev.ipam.server.http.ApiServer;
import dev.ipam.server.raft.Peer;
import dev.ipam.server.raft.RaftNode;
import dev.ipam.server.raft.RaftSettings;
import dev.ipam.server.raft.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ipamctl backup create/verify/restore and cluster log-level against a one-node Raft ipamd in this JVM. */
class BackupCommandTest {
    @TempDir
    Path temp;
    private RaftNode node;
    private ApiServer http;
    private final List<String> fatal = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (http != null) {
            http.close();
        }
        if (node != null) {
            node.close();
        }
        assertEquals(List.of(), fatal);
    }

    @Test
    void backupCreateVerifyAndRestoreWithClearRefusals() throws Exception {
        Peer self = new Peer("n1", "127.0.0.1:" + TestPorts.free(), "127.0.0.1:" + TestPorts.free());
        node = RaftNode.start(RaftSettings.defaults(self, List.of(self), temp.resolve("n1")), new Ipam(),
                (message, cause) -> fatal.add(message + ": " + cause));
        http = new ApiServer(ApiConfig.defaults(0).withHost("127.0.0.1"), node.replica(), node.admin()).start();
        Cli cli = new Cli(temp).with("--server", "http://127.0.0.1:" + http.port());
        // The node must have a leader (itself) before a linearizable read point exists; poll.
        AtomicReference<Cli.Result> attempt = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            attempt.set(cli.run("backup", "create", temp.resolve("b.ipambackup").toString()));
            assertEquals(0, attempt.get().code(), attempt.get().toString());
        });
        Cli.Result created = attempt.get();
        assertTrue(created.out().contains("at log index"), created.out());
        assertFalse(Files.exists(temp.resolve("b.ipambackup.tmp")));

        Cli.Result verified = cli.run("backup", "verify", temp.resolve("b.ipambackup").toString());
        assertEquals(0, verified.code(), verified.toString());
        assertTrue(verified.out().contains("is intact"), verified.out());

        byte[] bytes = Files.readAllBytes(temp.resolve("b.ipambackup"));
        bytes[bytes.length - 40] ^= 1;
        Files.write(temp.resolve("bad.ipambackup"), bytes);
        Cli.Result bad = cli.run("backup", "verify", temp.resolve("bad.ipambackup").toString());
        assertEquals(ExitCodes.INVALID, bad.code(), bad.toString());
        assertTrue(bad.err().contains("corrupt"), bad.err());
        Cli.Result badRestore = cli.run("backup", "restore", temp.resolve("bad.ipambackup").toString(),
                "--data-dir", temp.resolve("new").toString());
        assertEquals(ExitCodes.INVALID, badRestore.code(), badRestore.toString());
        assertTrue(badRestore.err().contains("nothing changed"), badRestore.err());
        assertFalse(Files.exists(temp.resolve("new")));

        Cli.Result restored = cli.run("backup", "restore", temp.resolve("b.ipambackup").toString(),
                "--data-dir", temp.resolve("new").toString());
        assertEquals(0, restored.code(), restored.toString());
        Cli.Result again = cli.run("backup", "restore", temp.resolve("b.ipambackup").toString(),
                "--data-dir", temp.resolve("new").toString());
        assertEquals(ExitCodes.CONFLICT, again.code(), again.toString());
        assertTrue(again.err().contains("not empty"), again.err());

        Cli.Result level = cli.run("cluster", "log-level", "dev.ipam.cli.test", "DEBUG");
        assertEquals(0, level.code(), level.toString());
        assertTrue(level.out().startsWith("dev.ipam.cli.test: DEBUG"), level.out());
    }

    @Test
    void progressReportsTheBytesWrittenSoFar() throws IOException {
        java.io.StringWriter text = new java.io.StringWriter();
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        try (BackupCommand.Progress progress = new BackupCommand.Progress(sink, new java.io.PrintWriter(text), "backup f", 0)) {
            progress.write(new byte[1000]);
            progress.write(7);
            progress.write(new byte[24], 0, 24);
        }
        assertEquals(1025, sink.size());
        List<String> lines = text.toString().lines().toList();
        assertEquals(3, lines.size(), text.toString());
        assertTrue(lines.get(0).startsWith("backup f: 1000 bytes written"), lines.toString());
        assertTrue(lines.get(2).startsWith("backup f: 1025 bytes written"), lines.toString());
    }
}
