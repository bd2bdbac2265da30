package dev.ipam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ipam.client.fake.FakeIpam;
import dev.ipam.client.fake.FakeNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contexts in the config file: set, use, override with flags, view without leaking tokens. */
class ConfigContextsTest {
    @TempDir
    Path home;
    private FakeIpam ipam;
    private FakeNode node;
    private FakeNode other;

    @BeforeEach
    void start() throws Exception {
        ipam = new FakeIpam();
        node = ipam.startNode();
        other = ipam.startNode();
        ipam.seedProject("demo");
        ipam.seedProject("team-b");
        ipam.seedPool("demo", "demo-pool", "10.0.0.0/24", Map.of());
        ipam.seedPool("team-b", "b-pool", "10.1.0.0/24", Map.of());
    }

    @AfterEach
    void stop() {
        ipam.close();
    }

    @Test
    void contextsSupplyServersProjectAndToken() throws Exception {
        Cli cli = new Cli(home);
        Cli.Result created = cli.run("config", "set-context", "dev", "--server", "http://127.0.0.1:1," + node.uri(),
                "--project", "demo", "--token", "s3cret");
        assertEquals(0, created.code(), created.toString());
        assertEquals("Context \"dev\" created.\n", created.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.configPath())));
        assertEquals(0, cli.run("config", "set-context", "b", "--server", other.uri(), "--project", "team-b").code());

        // The first context written became current; its first server is dead, so this also fails over.
        Cli.Result pools = cli.run("get", "ippools", "-o", "name");
        assertEquals("ippool.ipam.miloapis.com/demo-pool\n", pools.out(), pools.toString());
        assertEquals("ippool.ipam.miloapis.com/b-pool\n", cli.run("get", "ippools", "-o", "name", "--context", "b").out());
        assertEquals("ippool.ipam.miloapis.com/b-pool\n", cli.run("get", "ippools", "-o", "name", "--project", "team-b").out());

        assertEquals("Switched to context \"b\".\n", cli.run("config", "use-context", "b").out());
        assertEquals("b\n", cli.run("config", "current-context").out());
        assertEquals("ippool.ipam.miloapis.com/b-pool\n", cli.run("get", "ippools", "-o", "name").out());

        String view = cli.run("config", "view").out();
        assertTrue(view.contains("currentContext: b"), view);
        assertTrue(view.contains("token: REDACTED"), view);
        assertFalse(view.contains("s3cret"), view);
        assertTrue(cli.run("config", "view", "--raw").out().contains("token: s3cret"));
        assertTrue(cli.run("config", "get-contexts").out().contains("*         b "), cli.run("config", "get-contexts").out());

        assertEquals("Context \"dev\" modified.\n", cli.run("config", "set-context", "dev", "--project", "team-b").out());
        assertTrue(cli.run("config", "view").out().contains("project: team-b"));
    }

    @Test
    void unknownContextsAreNamedWithTheFix() {
        Cli cli = new Cli(home);
        Cli.Result missing = cli.run("get", "ippools", "--context", "nope");
        assertEquals(ExitCodes.USAGE, missing.code(), missing.toString());
        assertTrue(missing.err().contains("--context: no context 'nope'"), missing.toString());
        Cli.Result use = cli.run("config", "use-context", "nope");
        assertEquals(ExitCodes.NOT_FOUND, use.code(), use.toString());
        Cli.Result empty = cli.run("config", "set-context", "x");
        assertEquals(ExitCodes.USAGE, empty.code(), empty.toString());
    }

    @Test
    void aBrokenConfigFileIsReportedWithItsPath() throws Exception {
        Cli cli = new Cli(home);
        Files.writeString(cli.configPath(), "apiVersion: ipamctl/v9\n");
        Cli.Result result = cli.run("get", "ippools");
        assertEquals(ExitCodes.USAGE, result.code(), result.toString());
        assertTrue(result.err().contains(cli.configPath() + " has apiVersion ipamctl/v9"), result.toString());
    }
}
